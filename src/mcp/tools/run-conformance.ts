import { z } from "zod";
import { endUserFor } from "../../cli/end-user.js";
import { eventNameOrToolError } from "../inputs.js";
import { CHECK_IDS, isCheckId, PINWHEEL_TIMEOUT_MS, runConformance, type CheckId } from "../../conformance/index.js";
import { CliError, usageError } from "../../errors.js";
import { conformanceJson, conformanceSummary } from "../../output/conformance.js";
import { didYouMean } from "../../suggest.js";
import { sendTarget } from "../targets.js";
import { defineTool } from "../tool.js";

const STOPPED_CONFORMANCE = "stopped: the client cancelled the call or closed the connection before the suite ended; nothing was judged";

function checkIdOrToolError(id: string): CheckId {
  if (isCheckId(id)) return id;
  throw usageError(`"checks": unknown check "${id}"; ${didYouMean(id, CHECK_IDS) || `checks: ${CHECK_IDS.join(", ")}`}`);
}

export const runConformanceTool = defineTool({
  name: "run_conformance",
  title: "Check a webhook handler does the right thing",
  description:
    "Runs pinwheel-cli's conformance suite against a webhook handler at `to`, as `pinwheel-cli smoke --suite conformance` " +
    "does: genuine signed events must be acknowledged with 2xx; forged, tampered, wrongly-keyed, unsigned and stale requests " +
    "must be refused; duplicates, unknown events, extra fields, payloads off their schema (an optional field left out, an " +
    "enum value the docs do not list), out-of-order and pending-then-result sequences must be " +
    "handled; answers must come within Pinwheel's 15 s. Returns passed / failed / warned counts and, per check, its id, " +
    "verdict, a one-line message, what was sent and answered, how to fix it, and every request and answer (as " +
    "`smoke --suite conformance --json`). Use it after writing or changing a handler, then read the fix of each failed check. " +
    `Checks: ${CHECK_IDS.join(", ")}. Give \`end_user_id\` of a user the app knows so positive checks are not ignored as ` +
    "strangers, and `state_url` (a GET returning a count or list of what the app processed) so duplicate handling is judged " +
    "by effect rather than by status code. Sends only to this machine unless the server runs with --allow-remote; nothing " +
    "is recorded in the store. A full run takes a few seconds against a prompt handler; it reports progress after each " +
    "check to a client that asks for it.",
  input: {
    to: z.string().describe("the handler's webhook URL (only this machine unless the server runs with --allow-remote)"),
    checks: z.array(z.string()).min(1).optional().describe(`only these checks (default: all): ${CHECK_IDS.join(", ")}`),
    events: z.array(z.string()).min(1).optional().describe("events the genuine-events check sends (default: every catalog event)"),
    end_user_id: z.string().min(1).optional().describe("an end user the app knows (default: the configured end-user-id)"),
    state_url: z.string().optional().describe("a GET returning a JSON count or list of what the app processed, read around duplicates"),
    tolerance_seconds: z.number().int().min(1).max(86_400).optional().describe("the timestamp age the handler refuses beyond (default 300)"),
    timeout_ms: z.number().int().min(1).max(60_000).optional().describe(`answers later than this fail response-time (default ${PINWHEEL_TIMEOUT_MS})`),
  },
  sends: true,
  async run(args, context) {
    const url = sendTarget(context, args.to);
    const stateUrl = args.state_url === undefined ? undefined : sendTarget(context, args.state_url, "state_url");
    // Named before anything is sent, so a mistyped check or event is an input error and nothing goes out.
    const checks = args.checks?.map(checkIdOrToolError);
    const events = args.events?.map(eventNameOrToolError);
    const total = checks?.length ?? CHECK_IDS.length;
    let done = 0;
    const report = await runConformance({
      url,
      secret: context.secret.secret,
      checks,
      events,
      toleranceSeconds: args.tolerance_seconds,
      timeoutMs: args.timeout_ms,
      endUserId: endUserFor(args.end_user_id).id,
      stateUrl,
      onResult: (result) => context.progress?.(++done, total, `${result.id}: ${result.verdict}`),
      signal: context.signal,
    }).catch((error: unknown) => {
      if (context.signal?.aborted) throw new CliError(STOPPED_CONFORMANCE);
      throw error;
    });
    const lines = report.results.map((result) => `${result.verdict === "fail" ? "FAIL" : result.verdict}  ${result.id}: ${result.message}${result.verdict === "pass" ? "" : `\n      fix: ${result.fix}`}`);
    return { data: conformanceJson(report), text: [...lines, conformanceSummary(report)].join("\n") };
  },
});
