import { resolveDbPath } from "../../config.js";
import { CliError, usageError } from "../../errors.js";
import { buildEvent } from "../../events/build.js";
import { EVENT_NAMES, type EventName } from "../../events/catalog.js";
import { loadScenario, type Scenario } from "../../events/scenario.js";
import type { DeliveryReport } from "../../delivery/deliver.js";
import { createOutput } from "../../output/index.js";
import { formatDuration } from "../../output/delivery.js";
import { renderJUnit, type JUnitCase } from "../../output/junit.js";
import { DeliveryRun, REFUSED_SIGNATURE_HINT } from "../../cli/delivery-run.js";
import { plannedDeliveries, playThroughRun } from "../../cli/play-scenario.js";
import { endUserFor, unrecognisedEndUserNotice } from "../../cli/end-user.js";
import { eventNameOrUsageError, secretFor } from "../../cli/inputs.js";
import { checkOutputDirectory, emitJUnit, smokeReporter, type SmokeReporter } from "../../output/smoke-report.js";
import { redactUrl } from "../../redact-url.js";

export interface SmokeOptions {
  to?: string;
  events?: string[];
  scenario?: string;
  expect: readonly string[];
  reporter?: SmokeReporter;
  output?: string;
  secret?: string;
  timeout: number;
  /** Scenario delays are divided by this (100 when not given: a smoke test does not wait out a scenario's pauses). */
  speed?: number;
  db?: string;
  json?: boolean;
  /** "conformance" runs the conformance suite (conformance.ts) instead of one delivery per event. */
  suite?: "smoke" | "conformance";
  tolerance?: number;
  stateUrl?: string;
  endUserId?: string;
  checks?: string[];
}

/** Flags only the conformance suite reads: given to the smoke suite they would be ignored. */
const CONFORMANCE_FLAGS = [
  ["--tolerance", "tolerance"],
  ["--state-url", "stateUrl"],
  ["--checks", "checks"],
] as const;

export interface Check {
  name: string;
  event: string;
  eventId: string;
  report: DeliveryReport;
  passed: boolean;
}

export function matchesExpectation(statusCode: number | undefined, expected: readonly string[]): boolean {
  if (statusCode === undefined) return false;
  const code = String(statusCode);
  return expected.some((entry) => (entry.endsWith("xx") ? code[0] === entry[0] : code === entry));
}

function observed(report: DeliveryReport): string {
  return report.final.statusCode !== undefined ? String(report.final.statusCode) : (report.final.error ?? "no answer");
}

export interface SmokePlan {
  /** One check per event, when there is no scenario. */
  names: readonly EventName[];
  scenario?: Scenario;
  expect: readonly string[];
  /** Scenario delays are divided by this (default 100). */
  speed?: number;
  /** The end_user_id every event carries (--end-user-id or config); the fixtures' made-up one otherwise. */
  endUserId?: string;
}

/** Sends each check through the run, in order, and judges each answer against the expectation. */
export async function smokeChecks(smokeRun: DeliveryRun, plan: SmokePlan): Promise<Check[]> {
  const checks: Check[] = [];
  if (plan.scenario) {
    const results = await playThroughRun(smokeRun, plan.scenario, { speed: plan.speed ?? 100, ids: { endUserId: plan.endUserId } });
    results.forEach((r, i) =>
      checks.push({
        name: `${i + 1}. step ${r.step} ${r.event}${r.kind === "event" ? "" : ` (${r.kind})`}`,
        event: r.event,
        eventId: r.eventId,
        report: r.report,
        passed: matchesExpectation(r.report.final.statusCode, plan.expect),
      }),
    );
    return checks;
  }
  for (const name of plan.names) {
    const envelope = buildEvent(name);
    if (plan.endUserId !== undefined && "end_user_id" in envelope.payload) envelope.payload.end_user_id = plan.endUserId;
    const report = await smokeRun.send({ event: name, eventId: envelope.event_id, body: Buffer.from(JSON.stringify(envelope)) });
    checks.push({ name, event: name, eventId: envelope.event_id, report, passed: matchesExpectation(report.final.statusCode, plan.expect) });
  }
  return checks;
}

/** smoke --json's report. */
export function smokeReportJson(
  url: string,
  expect: readonly string[],
  checks: readonly Check[],
  endUser: { endUserId?: string; unrecognisedAcknowledged: boolean } = { unrecognisedAcknowledged: false },
): Record<string, unknown> {
  const failed = checks.filter((check) => !check.passed).length;
  return {
    url,
    expect,
    passed: checks.length - failed,
    failed,
    end_user_id: endUser.endUserId ?? null,
    // The handler acknowledged events for an end user it cannot know: verification went untested.
    unrecognised_end_user_acknowledged: endUser.unrecognisedAcknowledged,
    checks: checks.map((check) => ({
      name: check.name,
      event: check.event,
      event_id: check.eventId,
      passed: check.passed,
      status_code: check.report.final.statusCode ?? null,
      error: check.report.final.error ?? null,
      duration_ms: Math.round(check.report.final.durationMs * 100) / 100,
    })),
  };
}

export async function run(options: SmokeOptions): Promise<void> {
  if (options.suite === "conformance") return (await import("./conformance.js")).runConformanceSuite(options);
  const given = CONFORMANCE_FLAGS.find(([, key]) => options[key] !== undefined);
  if (given) throw usageError(`${given[0]} goes with --suite conformance`);
  const reporter = smokeReporter(options);
  const out = createOutput({ json: reporter === "json" });
  if (!options.to) throw usageError("--to <url> is required: your app's webhook endpoint, e.g. --to http://localhost:8080/webhooks/pinwheel");
  if (options.events && options.scenario) throw usageError("pass --events or --scenario, not both");
  if (options.speed !== undefined && !options.scenario) throw usageError("--speed scales a scenario's delays; it goes with --scenario <name>");
  if (options.events?.length === 0) throw usageError("--events is empty; name the events to check, or leave it out to check every catalog event");
  if (options.output) checkOutputDirectory(options.output);
  const names = (options.events ?? (options.scenario ? [] : [...EVENT_NAMES])).map(eventNameOrUsageError);
  const scenario = options.scenario ? loadScenario(options.scenario) : undefined;
  const { secret } = secretFor(out, options.secret);
  const url = options.to;
  const endUser = endUserFor(options.endUserId);

  const smokeRun = DeliveryRun.open(out, {
    source: "smoke",
    dbPath: resolveDbPath(options.db),
    url,
    secret,
    timeoutMs: options.timeout,
    // Checks go one at a time, but a scenario's concurrent step needs a second connection.
    concurrency: 4,
    planned: scenario ? plannedDeliveries(scenario) : names.length,
    // Per-attempt lines would bury the table; the table is the report.
    attemptLines: "none",
  });
  let checks: Check[] = [];
  await smokeRun.finish(smokeChecks(smokeRun, { names, scenario, expect: options.expect, speed: options.speed, endUserId: endUser.id }).then((done) => (checks = done)));

  const failed = checks.filter((check) => !check.passed);
  const expectation = options.expect.join(",");
  const answered2xx = checks.filter((check) => matchesExpectation(check.report.final.statusCode, ["2xx"])).length;
  // Only a run that passes can have passed without testing verification.
  const endUserNotice = failed.length === 0 ? unrecognisedEndUserNotice(endUser, checks.length, answered2xx) : undefined;
  if (reporter === "junit") {
    const cases: JUnitCase[] = checks.map((check) => ({
      name: check.name,
      classname: `pinwheel-cli.smoke.${scenario ? scenario.name : "events"}`,
      seconds: check.report.attempts.reduce((sum, a) => sum + a.durationMs, 0) / 1000,
      failure: check.passed
        ? undefined
        : {
            message: `expected ${expectation}, got ${observed(check.report)}`,
            details: `POST ${redactUrl(url)}\nevent ${check.event}\nevent_id ${check.eventId}\nanswer: ${check.report.final.responseBody ?? check.report.final.error ?? ""}`,
          },
    }));
    emitJUnit(out, renderJUnit(`pinwheel-cli smoke ${redactUrl(url)}`, cases, new Date().toISOString().slice(0, 19)), options.output);
  }
  if (reporter === "json") {
    out.data(smokeReportJson(url, options.expect, checks, { endUserId: endUser.id, unrecognisedAcknowledged: endUserNotice !== undefined }));
  } else {
    const { c } = out;
    const table = checks.map((check) => [
      check.passed ? c.green("pass") : c.red("FAIL"),
      check.name,
      check.passed ? observed(check.report) : c.red(observed(check.report)),
      formatDuration(check.report.final.durationMs),
    ]);
    // With JUnit on stdout the table goes to stderr, so the XML stays clean.
    if (reporter === "junit" && !options.output) out.notice(table.map((row) => row.join("  ")).join("\n"));
    else out.table(["RESULT", "CHECK", "STATUS", "TIME"], table);
    const line = `${checks.length - failed.length} passed, ${failed.length} failed (expected ${expectation} from ${url})`;
    if (reporter === "junit" && !options.output) out.notice(line);
    else out.line(`\n${failed.length ? c.red(line) : c.green(line)}`);
  }
  if (endUserNotice) out.warn(endUserNotice);
  if (failed.length) {
    const refused = failed.some((check) => check.report.final.statusCode === 401);
    throw new CliError(`smoke test failed: ${failed.length} of ${checks.length} check(s) did not get ${expectation}${refused ? `; ${REFUSED_SIGNATURE_HINT}` : ""}`);
  }
}
