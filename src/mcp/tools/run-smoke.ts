import { z } from "zod";
import { eventNameOrUsageError } from "../../cli/inputs.js";
import { plannedDeliveries } from "../../cli/play-scenario.js";
import { smokeChecks } from "../../cli/smoke-checks.js";
import { answerInWords } from "../../delivery/answer-words.js";
import { smokeReportJson } from "../../output/smoke-report.js";
import { EVENT_NAMES } from "../../events/catalog.js";
import { loadBuiltInScenario } from "../../events/scenario.js";
import { usageError } from "../../errors.js";
import { expectedStatuses } from "../../cli/options.js";
import { quotedAnswer, sendThrough } from "../send.js";
import { sendTarget } from "../targets.js";
import { defineTool } from "../tool.js";

export const runSmoke = defineTool({
  name: "run_smoke",
  title: "Smoke-test a webhook handler",
  description:
    "Checks a webhook handler end to end, as `pinwheel-cli smoke` does in CI: sends one signed event of every catalog type " +
    "(or only `events`, or the deliveries of a built-in `scenario` such as at-least-once, with its duplicates and " +
    "out-of-order steps) to `to`, one at a time, and checks each answer against `expect` (default 2xx; e.g. \"200,204\"). " +
    "Returns passed and failed counts and every check with its event, event_id, status and time, as `smoke --json` does; " +
    "every delivery is recorded like `smoke`. A handler that refuses a genuine event (4XX) fails here: Pinwheel never " +
    "retries a 4XX, so that event would be lost.",
  input: {
    to: z.string().describe("the handler's webhook URL (only this machine unless the server runs with --allow-remote)"),
    events: z.array(z.string()).min(1).optional().describe("only these events (default: every catalog event)"),
    scenario: z.string().optional().describe("play this built-in scenario instead (see the pinwheel://scenarios/ resources)"),
    expect: z.string().optional().describe('accepted answers: "2xx" (default), or codes such as "200,204"'),
    timeout_ms: z.number().int().min(1).max(60_000).optional().describe("per-request timeout (default 15000)"),
  },
  sends: true,
  async run(args, context) {
    const url = sendTarget(context, args.to);
    if (args.events && args.scenario) throw usageError("give events or scenario, not both");
    const expect = expectedStatuses(args.expect ?? "2xx");
    const names = (args.events ?? (args.scenario ? [] : [...EVENT_NAMES])).map(eventNameOrUsageError);
    const scenario = args.scenario === undefined ? undefined : loadBuiltInScenario(args.scenario);
    const planned = scenario ? plannedDeliveries(scenario) : names.length;
    const result = await sendThrough(context, { source: "smoke", url, planned, timeoutMs: args.timeout_ms ?? 15_000, attemptLines: "none" }, (run) =>
      smokeChecks(run, { names, scenario, expect }),
    );
    const report = smokeReportJson(url, expect, result.value);
    const { checks, notSent } = result.value;
    const lines = checks.flatMap((check) => {
      const line = `${check.passed ? "pass" : "FAIL"}  ${check.name}  ${answerInWords(check.report.final)}`;
      const answer = check.passed ? undefined : quotedAnswer(check.report.final.responseBody);
      return answer === undefined ? [line] : [line, answer];
    });
    const unsent = notSent.length > 0 ? `, ${notSent.length} not sent (the app stopped answering)` : "";
    return {
      data: { ...report, notices: result.notices },
      text: [...lines, `${report.passed} passed, ${report.failed} failed${unsent} (expected ${expect.join(",")} from ${url})`].join("\n"),
    };
  },
});
