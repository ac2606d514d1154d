import { statSync, writeFileSync } from "node:fs";
import { dirname, resolve } from "node:path";
import { resolveDbPath } from "../config.js";
import { CliError, usageError } from "../errors.js";
import { buildEvent } from "../events/build.js";
import { EVENT_NAMES } from "../events/catalog.js";
import { loadScenario } from "../events/scenario.js";
import type { DeliveryReport } from "../delivery/deliver.js";
import { createOutput } from "../output/index.js";
import { formatDuration } from "../output/delivery.js";
import { renderJUnit, type JUnitCase } from "../output/junit.js";
import { DeliveryRun, REFUSED_SIGNATURE_HINT } from "./delivery-run.js";
import { plannedDeliveries, playThroughRun } from "./play-scenario.js";
import { eventNameOrUsageError, secretFor } from "./shared.js";

export interface SmokeOptions {
  to?: string;
  events?: string[];
  scenario?: string;
  expect: string[];
  reporter?: "table" | "junit" | "json";
  output?: string;
  secret?: string;
  timeout: number;
  /** Scenario delays are divided by this (100 when not given: a smoke test does not wait out a scenario's pauses). */
  speed?: number;
  db?: string;
  json?: boolean;
}

interface Check {
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

/** Checked before anything is sent: a report that cannot be written would lose every result. */
function checkOutputDirectory(output: string): void {
  const directory = dirname(resolve(output));
  const isDirectory = statSync(directory, { throwIfNoEntry: false })?.isDirectory() ?? false;
  if (!isDirectory) throw usageError(`--output: the directory ${directory} does not exist; create it first (e.g. mkdir -p ${directory})`);
}

export async function run(options: SmokeOptions): Promise<void> {
  if (options.output && (options.json || options.reporter === "json")) {
    throw usageError("--output writes the JUnit XML report; for JSON, redirect stdout to a file instead");
  }
  // --output is the JUnit file: asking for it is asking for that report.
  const reporter = options.json ? "json" : options.output ? "junit" : (options.reporter ?? "table");
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
  const checks: Check[] = [];
  await smokeRun.finish(
    (async () => {
      if (scenario) {
        const results = await playThroughRun(smokeRun, scenario, { speed: options.speed ?? 100, ids: {} });
        results.forEach((r, i) =>
          checks.push({
            name: `${i + 1}. step ${r.step} ${r.event}${r.kind === "event" ? "" : ` (${r.kind})`}`,
            event: r.event,
            eventId: r.eventId,
            report: r.report,
            passed: matchesExpectation(r.report.final.statusCode, options.expect),
          }),
        );
        return;
      }
      for (const name of names) {
        const envelope = buildEvent(name);
        const report = await smokeRun.send({ event: name, eventId: envelope.event_id, body: Buffer.from(JSON.stringify(envelope)) });
        checks.push({ name, event: name, eventId: envelope.event_id, report, passed: matchesExpectation(report.final.statusCode, options.expect) });
      }
    })(),
  );

  const failed = checks.filter((check) => !check.passed);
  const expectation = options.expect.join(",");
  if (reporter === "junit") {
    const cases: JUnitCase[] = checks.map((check) => ({
      name: check.name,
      classname: `pinwheel-cli.smoke.${scenario ? scenario.name : "events"}`,
      seconds: check.report.attempts.reduce((sum, a) => sum + a.durationMs, 0) / 1000,
      failure: check.passed
        ? undefined
        : {
            message: `expected ${expectation}, got ${observed(check.report)}`,
            details: `POST ${url}\nevent ${check.event}\nevent_id ${check.eventId}\nanswer: ${check.report.final.responseBody ?? check.report.final.error ?? ""}`,
          },
    }));
    const xml = renderJUnit(`pinwheel-cli smoke ${url}`, cases, new Date().toISOString().slice(0, 19));
    if (options.output) {
      try {
        writeFileSync(options.output, xml);
      } catch (error) {
        throw new CliError(`cannot write the JUnit report to ${options.output}: ${(error as Error).message}`);
      }
      out.notice(`JUnit report written to ${options.output}`);
    } else {
      out.line(xml.trimEnd());
    }
  }
  if (reporter === "json") {
    out.data({
      url,
      expect: options.expect,
      passed: checks.length - failed.length,
      failed: failed.length,
      checks: checks.map((check) => ({
        name: check.name,
        event: check.event,
        event_id: check.eventId,
        passed: check.passed,
        status_code: check.report.final.statusCode ?? null,
        error: check.report.final.error ?? null,
        duration_ms: Math.round(check.report.final.durationMs * 100) / 100,
      })),
    });
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
  if (failed.length) {
    const refused = failed.some((check) => check.report.final.statusCode === 401);
    throw new CliError(`smoke test failed: ${failed.length} of ${checks.length} check(s) did not get ${expectation}${refused ? `; ${REFUSED_SIGNATURE_HINT}` : ""}`);
  }
}
