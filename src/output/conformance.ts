import type { ChalkInstance } from "chalk";
import type { CheckId, CheckResult, ConformanceReport, Exchange } from "../conformance/index.js";
import { formatDuration } from "./delivery.js";
import type { Output } from "./index.js";
import { renderJUnit, type JUnitCase } from "./junit.js";
import { redactUrl } from "../redact-url.js";
import { interruptedBy, stoppedCases, type StoppedWhy } from "./smoke-report.js";
import { printable } from "./printable.js";
import { renderTable } from "./table.js";

/** Bodies and answers are shown cut to this many characters; --json has them whole (answers to 2 KiB). */
const EXCERPT = 160;
const SHOWN_HEADERS = ["content-type", "x-pinwheel-signature", "x-timestamp"];

function excerpt(text: string, length = EXCERPT): string {
  const flat = printable(text);
  return flat.length > length ? `${flat.slice(0, length)}…` : flat;
}

function verdictLabel(c: ChalkInstance, result: CheckResult): string {
  if (result.verdict === "pass") return c.green("pass");
  if (result.verdict === "warn") return c.yellow("warn");
  return c.red("FAIL");
}

function answerLine(exchange: Exchange): string {
  const { statusCode, durationMs, responseBody, error } = exchange.answer;
  if (statusCode === undefined) return `no answer after ${formatDuration(durationMs)}: ${printable(error ?? "")}`;
  return `${statusCode} in ${formatDuration(durationMs)}${responseBody ? `: ${excerpt(responseBody)}` : ""}`;
}

/** What was sent and what came back, for one request that shows the problem. */
function exchangeLines(exchange: Exchange): string[] {
  const headers = SHOWN_HEADERS.map((name) => {
    const value = exchange.sent.headers[name];
    return `${name}: ${value === undefined ? "(none)" : printable(value)}`;
  });
  return [
    `  sent:   ${printable(exchange.label)}`,
    `          POST ${printable(exchange.sent.url)}  ${headers.join("  ")}`,
    `          ${excerpt(exchange.sent.body)}`,
    `  answer: ${answerLine(exchange)}`,
  ];
}

/** A pass that checked only part of its claim says so where its verdict is read: "... (double processing not checked without --state-url)". */
function uncheckedNote(c: ChalkInstance, result: CheckResult, text: string): string {
  return result.verdict === "pass" && result.unchecked !== undefined ? `${text}  ${c.dim(`(${result.unchecked})`)}` : text;
}

/** The report card: a table of every check, then what was sent, what came back and the fix for each one not passed. */
export function renderConformanceCard(c: ChalkInstance, report: ConformanceReport): string {
  const table = renderTable(
    ["RESULT", "CHECK", "ANSWER", "SENT"].map((header) => c.bold(header)),
    report.results.map((result) => [verdictLabel(c, result), result.id, printable(result.answered), uncheckedNote(c, result, result.sent)]),
  );
  const details = report.results
    .filter((result) => result.verdict !== "pass")
    .flatMap((result) => [
      "",
      `${verdictLabel(c, result)} ${c.bold(result.id)}: ${printable(result.message)}`,
      ...result.evidence.slice(0, 2).flatMap(exchangeLines),
      `  fix:    ${result.fix}`,
    ]);
  return [table, ...details].join("\n");
}

/**
 * Where a suite stopped by Ctrl+C or SIGTERM was, ending the signal's line: "after 2 of 16 checks
 * (1 passed, 1 failed, 0 warnings); stopped during tampered-body, 13 not run".
 */
export function conformanceStoppedAt(done: readonly CheckResult[], planned: readonly CheckId[]): string {
  const count = (verdict: CheckResult["verdict"]) => done.filter((result) => result.verdict === verdict).length;
  const warned = count("warn");
  const current = planned[done.length];
  const left = Math.max(0, planned.length - done.length - (current === undefined ? 0 : 1));
  return (
    `after ${done.length} of ${planned.length} checks (${count("pass")} passed, ${count("fail")} failed, ${warned} warning${warned === 1 ? "" : "s"})` +
    (current === undefined ? "" : `; stopped during ${current}, ${left} not run`)
  );
}

export function conformanceSummary(report: ConformanceReport): string {
  const warnings = `${report.warned} warning${report.warned === 1 ? "" : "s"}`;
  return `${report.passed} passed, ${report.failed} failed, ${warnings} (conformance of ${report.url})`;
}

function exchangeJson(exchange: Exchange, evidence: boolean): Record<string, unknown> {
  return {
    label: exchange.label,
    event: exchange.event,
    event_id: exchange.eventId,
    evidence,
    sent: exchange.sent,
    answer: {
      status_code: exchange.answer.statusCode ?? null,
      duration_ms: Math.round(exchange.answer.durationMs * 100) / 100,
      body: exchange.answer.responseBody ?? null,
      error: exchange.answer.error ?? null,
    },
  };
}

export function conformanceJson(report: ConformanceReport, strict = false): Record<string, unknown> {
  return {
    suite: "conformance",
    url: report.url,
    // Warnings fail the run (--strict).
    strict,
    tolerance_seconds: report.toleranceSeconds,
    timeout_ms: report.timeoutMs,
    end_user_id: report.endUserId,
    state_url: report.stateUrl,
    passed: report.passed,
    failed: report.failed,
    warned: report.warned,
    checks: report.results.map(checkJson),
  };
}

/** --json's report of a suite stopped by a signal (`ending`: "terminated (SIGTERM)"): the checks done, and the rest by id. */
export function interruptedConformanceJson(url: string, done: readonly CheckResult[], planned: readonly CheckId[], ending: string): Record<string, unknown> {
  return stoppedConformanceJson(url, done, planned, { interrupted: ending });
}

/**
 * --json's report of a suite that could not go on (nothing answering at the URL, or no answers any
 * more), as its JUnit report has it: the checks done, the cause as `error`, the check it stopped
 * during and the rest by id.
 */
export function failedConformanceJson(url: string, done: readonly CheckResult[], planned: readonly CheckId[], reason: string): Record<string, unknown> {
  return stoppedConformanceJson(url, done, planned, { error: reason });
}

function stoppedConformanceJson(url: string, done: readonly CheckResult[], planned: readonly CheckId[], why: { interrupted: string } | { error: string }): Record<string, unknown> {
  const count = (verdict: CheckResult["verdict"]) => done.filter((result) => result.verdict === verdict).length;
  const current = planned[done.length];
  return {
    suite: "conformance",
    url,
    ...why,
    passed: count("pass"),
    failed: count("fail"),
    warned: count("warn"),
    checks: done.map(checkJson),
    stopped_during: current === undefined ? [] : [current],
    not_run: planned.slice(done.length + 1),
  };
}

function checkJson(result: CheckResult): Record<string, unknown> {
  return {
    id: result.id,
    verdict: result.verdict,
    message: result.message,
    sent: result.sent,
    answered: result.answered,
    fix: result.fix,
    unchecked: result.unchecked ?? null,
    exchanges: result.exchanges.map((exchange) => exchangeJson(exchange, result.evidence.includes(exchange))),
  };
}

const CLASSNAME = "pinwheel-cli.conformance";

const suiteName = (url: string) => `pinwheel-cli smoke --suite conformance ${redactUrl(url)}`;

/** The suite's JUnit XML: one testcase per check. */
export function conformanceJUnit(report: ConformanceReport, strict = false): string {
  return renderJUnit(suiteName(report.url), resultCases(report.results, strict), new Date().toISOString().slice(0, 19));
}

/** The JUnit XML of a suite stopped by a signal (`ending`: "terminated (SIGTERM)"): the checks done, then the rest. */
export function interruptedConformanceJUnit(url: string, done: readonly CheckResult[], planned: readonly CheckId[], ending: string): string {
  return stoppedConformanceJUnit(url, done, planned, interruptedBy(ending));
}

/**
 * The JUnit XML of a suite that could not go on (nothing answering at the URL, or no answers any
 * more), so that a CI job's report step has a file that says why: the checks done, then the rest.
 */
export function failedConformanceJUnit(url: string, done: readonly CheckResult[], planned: readonly CheckId[], reason: string): string {
  const current = planned[done.length];
  return stoppedConformanceJUnit(url, done, planned, { during: reason, notRun: `not run: the suite stopped during ${current ?? "its last check"}` });
}

function stoppedConformanceJUnit(url: string, done: readonly CheckResult[], planned: readonly CheckId[], why: StoppedWhy): string {
  const current = planned[done.length];
  const cases = [...resultCases(done), ...stoppedCases(CLASSNAME, why, current === undefined ? [] : [current], planned.slice(done.length + 1))];
  return renderJUnit(suiteName(url), cases, new Date().toISOString().slice(0, 19));
}

/** One testcase per check; a warning passes, with its message as the case's output, or fails under --strict. */
function resultCases(results: readonly CheckResult[], strict = false): JUnitCase[] {
  return results.map((result) => {
    const failed = result.verdict === "fail" || (strict && result.verdict === "warn");
    return {
      name: result.id,
      classname: CLASSNAME,
      seconds: result.exchanges.reduce((sum, exchange) => sum + exchange.answer.durationMs, 0) / 1000,
      failure: failed
        ? {
            message: result.verdict === "warn" ? `warning (--strict): ${result.message}` : result.message,
            details: [...result.evidence.flatMap(exchangeLines), `  fix:    ${result.fix}`].join("\n"),
          }
        : undefined,
      output:
        result.verdict === "warn" && !failed
          ? `warning: ${result.message}\nfix: ${result.fix}`
          : result.verdict === "pass" && result.unchecked !== undefined
            ? `${result.unchecked}: ${result.message}`
            : undefined,
    };
  });
}

/** The report card and its verdict line; on stderr when stdout carries the JUnit XML. */
export function printConformanceReport(out: Output, report: ConformanceReport, { toStderr, strict = false }: { toStderr: boolean; strict?: boolean }): void {
  const card = renderConformanceCard(out.c, report);
  const summary = `${conformanceSummary(report)}${strict && report.warned ? "; warnings fail the run (--strict)" : ""}`;
  if (toStderr) {
    out.notice(`${card}\n\n${summary}`);
    return;
  }
  out.line(card);
  out.line(`\n${report.failed || (strict && report.warned) ? out.c.red(summary) : report.warned ? out.c.yellow(summary) : out.c.green(summary)}`);
}
