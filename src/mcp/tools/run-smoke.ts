import { z } from "zod";
import { endUserFor, unrecognisedEndUserNotice } from "../../cli/end-user.js";
import { eventNameOrToolError } from "../inputs.js";
import { matchesExpectation } from "../../delivery/expected-answer.js";
import { isListenAnswer } from "../../receiver/accepted-answer.js";
import { plannedDeliveries } from "../../cli/play-scenario.js";
import { smokeChecks } from "../../cli/smoke-checks.js";
import { answerInWords } from "../../delivery/answer-words.js";
import { smokeReportJson, type SmokeCheck } from "../../output/smoke-report.js";
import { EVENT_NAMES } from "../../events/catalog.js";
import { loadBuiltInScenario } from "../../events/scenario.js";
import { usageError } from "../../errors.js";
import { expectedStatuses } from "../../cli/options.js";
import { quotedAnswer, sendThrough } from "../send.js";
import { sendTarget } from "../targets.js";
import { defineTool } from "../tool.js";

/** unrecognisedEndUserNotice's warning, in the tool's argument. */
const UNRECOGNISED =
  "the handler answered 2xx to events whose end_user_id pinwheel-cli made up and the app cannot know: a handler that acknowledges " +
  'unknown end users before verifying the signature passes without testing verification; give "end_user_id" (a test user the app knows)';

export const runSmoke = defineTool({
  name: "run_smoke",
  title: "Smoke-test a webhook handler",
  description:
    "Checks a webhook handler end to end, as `pinwheel-cli smoke` does in CI: sends one signed event of every catalog type " +
    "(or only `events`, or the deliveries of a built-in `scenario` such as at-least-once, with its duplicates and " +
    "out-of-order steps) to `to`, one at a time, and checks each answer against `expect` (default 2xx; e.g. \"200,204\"). " +
    "Every event names `end_user_id` (default: the configured end-user-id), as `smoke --end-user-id`: give a test user " +
    "the app knows, or a handler that acknowledges unknown end users passes untested (unrecognised_end_user_acknowledged). " +
    "Returns passed and failed counts and every check with its event, event_id, status, time and what the handler " +
    "answered (response_body), as `smoke --json` does; every delivery is recorded like `smoke`. A handler that refuses a " +
    "genuine event (4XX) fails here: Pinwheel never retries a 4XX, so that event would be lost.",
  input: {
    to: z.string().describe("the handler's webhook URL (only this machine unless the server runs with --allow-remote)"),
    events: z.array(z.string()).min(1).optional().describe("only these events (default: every catalog event)"),
    scenario: z.string().optional().describe("play this built-in scenario instead (see the pinwheel://scenarios/ resources)"),
    expect: z.string().optional().describe('accepted answers: "2xx" (default), or codes such as "200,204"'),
    end_user_id: z.string().min(1).optional().describe("an end user the app knows, in every event's payload.end_user_id (default: the configured end-user-id)"),
    timeout_ms: z.number().int().min(1).max(60_000).optional().describe("per-request timeout (default 15000)"),
  },
  sends: true,
  async run(args, context) {
    const url = sendTarget(context, args.to);
    if (args.events && args.scenario) throw usageError("give events or scenario, not both");
    const expect = expectedStatuses(args.expect ?? "2xx");
    const names = (args.events ?? (args.scenario ? [] : [...EVENT_NAMES])).map(eventNameOrToolError);
    const scenario = args.scenario === undefined ? undefined : loadBuiltInScenario(args.scenario);
    const planned = scenario ? plannedDeliveries(scenario) : names.length;
    const endUser = endUserFor(args.end_user_id);
    const result = await sendThrough(context, { source: "smoke", url, planned, timeoutMs: args.timeout_ms ?? 15_000, attemptLines: "none" }, (run) =>
      smokeChecks(run, { names, scenario, expect, endUserId: endUser.id }),
    );
    const { checks, notSent } = result.value;
    // As smoke: a run that passed while every event named an end user the app cannot know tested no verification.
    const acknowledged = (check: SmokeCheck) => matchesExpectation(check.report.final, ["2xx"]);
    const answered2xx = checks.filter(acknowledged).length;
    const answeredByListen = checks.filter((check) => acknowledged(check) && isListenAnswer(check.report.final.responseBody)).length;
    const passed = checks.every((check) => check.passed);
    const unrecognised = passed && unrecognisedEndUserNotice(endUser, checks.length, answered2xx, answeredByListen) !== undefined;
    const report = smokeReportJson(url, expect, result.value, { endUserId: endUser.id, unrecognisedAcknowledged: unrecognised });
    const lines = checks.flatMap((check) => {
      const line = `${check.passed ? "pass" : "FAIL"}  ${check.name}  ${answerInWords(check.report.final)}`;
      const answer = check.passed ? undefined : quotedAnswer(check.report.final.responseBody);
      return answer === undefined ? [line] : [line, answer];
    });
    const unsent = notSent.length > 0 ? `, ${notSent.length} not sent (the app stopped answering)` : "";
    return {
      data: { ...report, notices: result.notices },
      text: [...lines, `${report.passed} passed, ${report.failed} failed${unsent} (expected ${expect.join(",")} from ${url})`, ...(unrecognised ? [UNRECOGNISED] : [])].join("\n"),
    };
  },
});
