import { statSync, writeFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { CliError, usageError } from "../errors.js";
import { makeDirectory } from "../make-directory.js";
import { answerInWords } from "../delivery/answer-words.js";
import type { DeliveryReport } from "../delivery/deliver.js";
import { redactUrl, redactUrlsIn } from "../redact-url.js";
import { formatDuration } from "./delivery.js";
import type { Output } from "./index.js";
import { renderJUnit, type JUnitCase } from "./junit.js";

export type SmokeReporter = "table" | "junit" | "json";

/** --json, --reporter and --output as both smoke suites read them: --output is the JUnit file, so it implies that reporter. */
export function smokeReporter(options: { json?: boolean; reporter?: SmokeReporter; output?: string }): SmokeReporter {
  if (options.output && (options.json || options.reporter === "json")) {
    throw usageError("--output writes the JUnit XML report; for JSON, redirect stdout to a file instead");
  }
  // "table" is --reporter's default, so only junit beside --json is a choice between two reports.
  if (options.json && options.reporter === "junit") {
    throw usageError("--json and --reporter junit both choose what is printed; pick one (--output writes JUnit XML to a file beside the table)");
  }
  return options.json ? "json" : options.output ? "junit" : (options.reporter ?? "table");
}

/**
 * Made ready before anything is sent: a report that cannot be written would lose every result. A CI
 * job names a report directory that its checkout lacks (`--output reports/smoke.xml`), so a missing
 * one is made, as JUnit reporters do.
 */
export function prepareOutputFile(output: string): void {
  const path = resolve(output);
  const directory = dirname(path);
  try {
    makeDirectory(directory, 0o777);
  } catch (error) {
    throw new CliError(`cannot create ${directory} for the JUnit report: ${(error as Error).message}`);
  }
  // A file where the directory should be: Node 24's stat of a path under it finds no entry rather than failing.
  if (!statSync(directory, { throwIfNoEntry: false })?.isDirectory()) {
    throw new CliError(`cannot write the JUnit report into ${directory}: it is not a directory`);
  }
  if (statSync(path, { throwIfNoEntry: false })?.isDirectory()) {
    throw usageError(`--output: ${path} is a directory; name the report file (e.g. ${join(output, "pinwheel-smoke.xml")})`);
  }
}

/** The JUnit XML to --output, or to stdout without it; credentials in URLs are redacted in the file as on stdout. */
export function emitJUnit(out: Output, xml: string, output: string | undefined): void {
  if (!output) {
    out.line(xml.trimEnd());
    return;
  }
  try {
    writeFileSync(output, redactUrlsIn(xml));
  } catch (error) {
    throw new CliError(`cannot write the JUnit report to ${output}: ${(error as Error).message}`);
  }
  out.notice(`JUnit report written to ${output}`);
}

/**
 * An interrupted run's JUnit XML (a CI job's timeout sends SIGTERM, and its report step still
 * runs): to --output, or to stdout without it. Says what became of the file, for the line the
 * process ends with.
 */
export function emitInterruptedJUnit(out: Output, xml: string, output: string | undefined): string | undefined {
  if (!output) {
    out.line(xml.trimEnd());
    return undefined;
  }
  try {
    writeFileSync(output, redactUrlsIn(xml));
    return `JUnit report of the checks so far written to ${output}`;
  } catch (error) {
    return `cannot write the JUnit report to ${output}: ${(error as Error).message}`;
  }
}

/** Why a stopped run's last checks have no verdict: the one it stopped during, and those it never began. */
export interface StoppedWhy {
  during: string;
  notRun: string;
}

/** A run ended by a signal (`ending`: "terminated (SIGTERM)"). */
export const interruptedBy = (ending: string): StoppedWhy => ({ during: `${ending} during this check`, notRun: `not run: ${ending} before it` });

/**
 * The cases a stopped run could not judge: each check it was waiting on is an error (the run ended
 * during it; nothing is known of the handler), each check it had not begun is skipped.
 */
export function stoppedCases(classname: string, why: StoppedWhy, stoppedDuring: Iterable<string>, notRun: readonly string[]): JUnitCase[] {
  const details = "the run stopped before this check's answer was judged";
  return [
    ...[...stoppedDuring].map((name): JUnitCase => ({ name, classname, seconds: 0, error: { message: why.during, details } })),
    ...notRun.map((name): JUnitCase => ({ name, classname, seconds: 0, skipped: why.notRun })),
  ];
}

/** One smoke check: a delivery and whether its answer was the expected one. */
export interface SmokeCheck {
  name: string;
  event: string;
  eventId: string;
  report: DeliveryReport;
  passed: boolean;
}

/** A smoke run's checks, and the events it did not send once the app had stopped answering. */
export interface SmokeResults {
  checks: readonly SmokeCheck[];
  notSent: readonly string[];
}

/** Why the checks past `notSent` were not sent, for every report. */
const NOT_SENT = "not sent: the checks before it got no answer, so the app looked stuck";

/** The end user the run's events named, and whether the handler acknowledged one it cannot know. */
export interface SmokeEndUser {
  endUserId?: string;
  unrecognisedAcknowledged: boolean;
}


/** smoke --json's report. */
export function smokeReportJson(
  url: string,
  expect: readonly string[],
  { checks, notSent }: SmokeResults,
  endUser: SmokeEndUser = { unrecognisedAcknowledged: false },
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
      // What the app answered (the attempt log's excerpt, at most 2 KiB), as simulate --json gives it.
      response_body: check.report.final.responseBody ?? null,
    })),
    // Events left unsent once the app stopped answering (three checks in a row without an answer).
    not_sent: notSent,
  };
}

/** smoke --json's report of a run stopped by a signal (`ending`: "terminated (SIGTERM)"): the checks judged, and the rest by name. */
export function interruptedSmokeReportJson(url: string, expect: readonly string[], progress: SmokeProgressShown, ending: string): Record<string, unknown> {
  return {
    ...smokeReportJson(url, expect, { checks: progress.judged, notSent: [] }),
    interrupted: ending,
    // Sent and never judged: the run ended while waiting for their answers.
    stopped_during: [...progress.sending],
    not_run: progress.notSent,
  };
}

/** Where an interrupted smoke run was (src/cli/smoke-checks.ts keeps it). */
interface SmokeProgressShown {
  judged: readonly SmokeCheck[];
  sending: Iterable<string>;
  notSent: readonly string[];
}

/** The JUnit XML of a smoke run: one test case per check. */
export function smokeJUnit(url: string, expect: readonly string[], { checks, notSent }: SmokeResults, suite: string): string {
  const classname = smokeClassname(suite);
  const cases = checkCases(url, expect, checks, classname);
  for (const name of notSent) cases.push({ name, classname, seconds: 0, skipped: NOT_SENT });
  return renderJUnit(smokeSuiteName(url), cases, new Date().toISOString().slice(0, 19));
}

/** The JUnit XML of a smoke run stopped by a signal (`ending`: "terminated (SIGTERM)"): the checks judged, then the rest. */
export function interruptedSmokeJUnit(
  url: string,
  expect: readonly string[],
  progress: SmokeProgressShown,
  suite: string,
  ending: string,
): string {
  const classname = smokeClassname(suite);
  const cases = [...checkCases(url, expect, progress.judged, classname), ...stoppedCases(classname, interruptedBy(ending), progress.sending, progress.notSent)];
  return renderJUnit(smokeSuiteName(url), cases, new Date().toISOString().slice(0, 19));
}

const smokeClassname = (suite: string) => `pinwheel-cli.smoke.${suite}`;
const smokeSuiteName = (url: string) => `pinwheel-cli smoke ${redactUrl(url)}`;

function checkCases(url: string, expect: readonly string[], checks: readonly SmokeCheck[], classname: string): JUnitCase[] {
  return checks.map((check) => ({
    name: check.name,
    classname,
    seconds: check.report.attempts.reduce((sum, a) => sum + a.durationMs, 0) / 1000,
    failure: check.passed
      ? undefined
      : {
          message: `expected ${expect.join(",")}, got ${answerInWords(check.report.final)}`,
          details: `POST ${redactUrl(url)}\nevent ${check.event}\nevent_id ${check.eventId}\nanswer: ${check.report.final.responseBody ?? check.report.final.error ?? ""}`,
        },
  }));
}

/** The table of checks and the passed/failed line; on stderr when stdout carries the JUnit XML. */
export function printSmokeTable(out: Output, url: string, expect: readonly string[], { checks, notSent }: SmokeResults, where: { toStderr: boolean }): void {
  const { c } = out;
  const failed = checks.filter((check) => !check.passed).length;
  const table = checks.map((check) => [
    check.passed ? c.green("pass") : c.red("FAIL"),
    check.name,
    check.passed ? answerInWords(check.report.final) : c.red(answerInWords(check.report.final)),
    formatDuration(check.report.final.durationMs),
  ]);
  if (where.toStderr) out.notice(table.map((row) => row.join("  ")).join("\n"));
  else out.table(["RESULT", "CHECK", "STATUS", "TIME"], table);
  const unsent = notSent.length > 0 ? `, ${notSent.length} not sent` : "";
  const line = `${checks.length - failed} passed, ${failed} failed${unsent} (expected ${expect.join(",")} from ${url})`;
  if (where.toStderr) out.notice(line);
  else out.line(`\n${failed ? c.red(line) : c.green(line)}`);
}
