import { resolveDbPath } from "../../config.js";
import { matchesExpectation } from "../../delivery/expected-answer.js";
import { notSentAfterUnanswered } from "../../delivery/unanswered-streak.js";
import { CliError, usageError } from "../../errors.js";
import { EVENT_NAMES, type EventName } from "../../events/catalog.js";
import { loadScenario, type Scenario } from "../../events/scenario.js";
import { createOutput, type Output } from "../../output/index.js";
import { DeliveryRun, failureHint } from "../../cli/delivery-run.js";
import { plannedDeliveries } from "../../cli/play-scenario.js";
import { smokeChecks, smokeProgress, type SmokeChecks } from "../../cli/smoke-checks.js";
import { saveOnInterrupt } from "../../interrupt.js";
import { endUserFor, unrecognisedEndUserNotice } from "../../cli/end-user.js";
import { isListenAnswer } from "../../receiver/accepted-answer.js";
import { eventNameOrUsageError, secretFor } from "../../cli/inputs.js";
import {
  prepareOutputFile,
  emitJUnit,
  emitInterruptedJUnit,
  interruptedSmokeJUnit,
  interruptedSmokeReportJson,
  printSmokeTable,
  smokeJUnit,
  smokeReporter,
  smokeReportJson,
  type SmokeCheck,
  type SmokeEndUser,
  type SmokeReporter,
} from "../../output/smoke-report.js";

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
  /** Conformance: a warning fails the run too. */
  strict?: boolean;
}

/** Flags only the conformance suite reads: given to the smoke suite they would be ignored. */
const CONFORMANCE_FLAGS = [
  ["--tolerance", "tolerance"],
  ["--state-url", "stateUrl"],
  ["--checks", "checks"],
  ["--strict", "strict"],
] as const;

export async function run(options: SmokeOptions): Promise<void> {
  if (options.suite === "conformance") return (await import("./conformance.js")).runConformanceSuite(options);
  const plan = smokePlan(options);
  const out = createOutput({ json: plan.reporter === "json" });
  const { secret } = secretFor(out, options.secret);
  const endUser = endUserFor(options.endUserId);
  const { checks, notSent } = await sendChecks(out, options, plan, secret, endUser.id);
  const failed = checks.filter((check) => !check.passed);
  const answered2xx = checks.filter((check) => matchesExpectation(check.report.final, ["2xx"])).length;
  // pinwheel-cli's own listen accepts any end user: its 2xx tests no handler.
  const answeredByListen = checks.filter((check) => matchesExpectation(check.report.final, ["2xx"]) && isListenAnswer(check.report.final.responseBody)).length;
  // Only a run that passes can have passed without testing verification.
  const endUserNotice = failed.length === 0 ? unrecognisedEndUserNotice(endUser, checks.length, answered2xx, answeredByListen) : undefined;
  reportSmoke(out, options, plan, { checks, notSent }, { endUserId: endUser.id, unrecognisedAcknowledged: endUserNotice !== undefined });
  if (endUserNotice) out.warn(endUserNotice);
  if (failed.length) {
    const stopped = notSent.length > 0 ? `, and ${notSentAfterUnanswered(notSent.length, options.timeout)}` : "";
    throw new CliError(`smoke test failed: ${failed.length} of ${checks.length} check(s) did not get ${options.expect.join(",")}${stopped}${smokeFailureHint(failed, options.expect)}`);
  }
}

/**
 * The usual cause of the failures, as simulate words it: nothing listening, a redirect, a route
 * that takes no POST, a refused signature. A status is read as a refusal only when 2xx was expected.
 */
function smokeFailureHint(failed: readonly SmokeCheck[], expect: readonly string[]): string {
  const refused = failed.find((check) => check.report.final.statusCode === 401);
  const first = (refused ?? failed[0])?.report.final;
  if (!first) return "";
  if (first.statusCode !== undefined && !expect.includes("2xx")) return "";
  return failureHint(first, "events");
}

interface SmokeRunPlan {
  reporter: SmokeReporter;
  url: string;
  names: EventName[];
  scenario: Scenario | undefined;
}

/** The smoke suite's flags, checked before anything is sent. */
function smokePlan(options: SmokeOptions): SmokeRunPlan {
  const given = CONFORMANCE_FLAGS.find(([, key]) => options[key] !== undefined);
  if (given) throw usageError(`${given[0]} goes with --suite conformance`);
  const reporter = smokeReporter(options);
  if (!options.to) throw usageError("--to <url> is required: your app's webhook endpoint, e.g. --to http://localhost:8080/webhooks/pinwheel");
  if (options.events && options.scenario) throw usageError("pass --events or --scenario, not both");
  if (options.speed !== undefined && !options.scenario) throw usageError("--speed scales a scenario's delays; it goes with --scenario <name>");
  if (options.events?.length === 0) throw usageError("--events is empty; name the events to check, or leave it out to check every catalog event");
  const names = (options.events ?? (options.scenario ? [] : [...EVENT_NAMES])).map(eventNameOrUsageError);
  const scenario = options.scenario ? loadScenario(options.scenario) : undefined;
  if (options.output) prepareOutputFile(options.output);
  return { reporter, url: options.to, names, scenario };
}

/** Sends the checks through one delivery run, recorded like any other, and judges each answer. */
async function sendChecks(out: Output, options: SmokeOptions, plan: SmokeRunPlan, secret: string, endUserId: string | undefined): Promise<SmokeChecks> {
  const smokeRun = DeliveryRun.open(out, {
    source: "smoke",
    dbPath: resolveDbPath(options.db),
    url: plan.url,
    secret,
    timeoutMs: options.timeout,
    // Checks go one at a time, but a scenario's concurrent step needs a second connection.
    concurrency: 4,
    planned: plan.scenario ? plannedDeliveries(plan.scenario) : plan.names.length,
    // Per-attempt lines would bury the table; the table is the report.
    attemptLines: "none",
  });
  let sent: SmokeChecks = { checks: [], notSent: [] };
  const { names, scenario } = plan;
  const progress = smokeProgress(plan);
  // Stopped by Ctrl+C or a CI job's timeout: the checks judged so far still make a report. Registered
  // after the run's own saver, so the line the process ends with says the run's part first.
  const release = saveOnInterrupt(async (ending) => {
    if (plan.reporter === "junit") return emitInterruptedJUnit(out, interruptedSmokeJUnit(plan.url, options.expect, progress, suiteName(plan), ending), options.output);
    if (plan.reporter === "json") out.data(interruptedSmokeReportJson(plan.url, options.expect, progress, ending));
    return undefined;
  });
  try {
    await smokeRun.finish(smokeChecks(smokeRun, { names, scenario, expect: options.expect, speed: options.speed, endUserId, progress }).then((done) => (sent = done)));
  } finally {
    release();
  }
  return sent;
}

const suiteName = (plan: SmokeRunPlan) => (plan.scenario ? plan.scenario.name : "events");

/** The report the reporter asks for: JUnit XML (to --output or stdout), JSON, or the table. */
function reportSmoke(out: Output, options: SmokeOptions, plan: SmokeRunPlan, results: SmokeChecks, endUser: SmokeEndUser): void {
  const { url, reporter } = plan;
  if (reporter === "junit") {
    emitJUnit(out, smokeJUnit(url, options.expect, results, suiteName(plan)), options.output);
  }
  if (reporter === "json") out.data(smokeReportJson(url, options.expect, results, endUser));
  // With JUnit on stdout the table goes to stderr, so the XML stays clean.
  else printSmokeTable(out, url, options.expect, results, { toStderr: reporter === "junit" && !options.output });
}
