import { CHECK_IDS, ConformanceError, isCheckId, NO_HTTP_HINT, runConformance, selectChecks, type CheckId, type CheckResult, type ConformanceReport } from "../../conformance/index.js";
import { CliError, usageError } from "../../errors.js";
import { createOutput } from "../../output/index.js";
import {
  conformanceJson,
  conformanceJUnit,
  conformanceStoppedAt,
  interruptedConformanceJson,
  interruptedConformanceJUnit,
  printConformanceReport,
  failedConformanceJUnit,
  failedConformanceJson,
} from "../../output/conformance.js";
import { saveOnInterrupt } from "../../interrupt.js";
import { didYouMean } from "../../suggest.js";
import { eventNameOrUsageError, secretFor } from "../../cli/inputs.js";
import { endUserFor } from "../../cli/end-user.js";
import type { SmokeOptions } from "./smoke.js";
import { prepareOutputFile, emitInterruptedJUnit, emitJUnit, smokeReporter } from "../../output/smoke-report.js";
import { keepWasmOnBaselineCompiler } from "../../cli/short-run-wasm.js";

/** Flags of the smoke suite that mean nothing here: refused rather than quietly ignored. */
function refuseSmokeOnly(options: SmokeOptions): void {
  const only = [
    options.scenario !== undefined && "--scenario (out-of-order and pending-then-result play the scenarios)",
    options.speed !== undefined && "--speed",
    options.expect.join(",") !== "2xx" && "--expect (each check knows what it expects)",
    options.db !== undefined && "--db (the conformance suite records nothing)",
  ].find(Boolean);
  if (only) throw usageError(`${only} goes with the smoke suite, not --suite conformance`);
}

export function checkIdOrUsageError(id: string): CheckId {
  if (isCheckId(id)) return id;
  throw usageError(`--checks: unknown check "${id}"; ${didYouMean(id, CHECK_IDS) || `checks: ${CHECK_IDS.join(", ")}`}`);
}

/** Words what keeps the suite from starting (nothing answering, an unreadable --state-url) as the CLI's errors. */
export async function runOrWord(run: () => Promise<ConformanceReport>): Promise<ConformanceReport> {
  try {
    return await run();
  } catch (error) {
    if (!(error instanceof ConformanceError)) throw error;
    // The URL is well formed (its parser saw to that): what it answered, or that nothing did, is the run's failure.
    if (error.code === "state_url") throw new CliError(`--state-url ${error.url}: ${error.message}`);
    if (error.code === "unresponsive") throw new CliError(`${error.url} is not answering: ${error.message}; is your app stuck (a breakpoint, a deadlock)?`);
    if (error.code === "no_http") throw new CliError(`no HTTP answer from ${error.url} (${error.message}); ${NO_HTTP_HINT}`);
    throw new CliError(`nothing answered at ${error.url} (${error.message}); is your app running there?`);
  }
}

/** smoke --suite conformance: the checks of src/conformance/ against the user's handler, as a report card. */
export async function runConformanceSuite(options: SmokeOptions): Promise<void> {
  const reporter = smokeReporter(options);
  const out = createOutput({ json: reporter === "json" });
  if (!options.to) throw usageError("--to <url> is required: your app's webhook endpoint, e.g. --to http://localhost:8080/webhooks/pinwheel");
  refuseSmokeOnly(options);
  if (options.events?.length === 0) throw usageError("--events is empty; name the events genuine-events sends, or leave it out to send every catalog event");
  if (options.checks?.length === 0) throw usageError("--checks is empty; name the checks to run, or leave it out to run them all");
  const events = options.events?.map(eventNameOrUsageError);
  const checks = options.checks?.map(checkIdOrUsageError);
  if (options.output) prepareOutputFile(options.output);
  const { secret } = secretFor(out, options.secret);
  const url = options.to;

  const planned = selectChecks(checks);
  const total = planned.length;
  keepWasmOnBaselineCompiler();
  const spinner = await out.spinner(`conformance: 0/${total} checks`);
  let done = 0;
  let report: ConformanceReport;
  // Ctrl+C or SIGTERM (a CI job's timeout) mid-suite: the signal's line says where it stopped, and
  // the JUnit report still has the checks done.
  const finished: CheckResult[] = [];
  const releaseInterrupt = saveOnInterrupt(async (ending) => {
    if (reporter === "json") out.data(interruptedConformanceJson(url, finished, planned, ending));
    const report = reporter === "junit" ? emitInterruptedJUnit(out, interruptedConformanceJUnit(url, finished, planned, ending), options.output) : undefined;
    return report === undefined ? conformanceStoppedAt(finished, planned) : `${conformanceStoppedAt(finished, planned)}; ${report}`;
  });
  try {
    report = await runOrWord(() =>
      runConformance({
        url,
        secret,
        checks,
        events,
        toleranceSeconds: options.tolerance,
        timeoutMs: options.timeout,
        endUserId: endUserFor(options.endUserId).id,
        stateUrl: options.stateUrl,
        onResult: (result) => {
          finished.push(result);
          spinner.update(`conformance: ${++done}/${total} checks (${result.id} ${result.verdict})`);
        },
      }),
    );
  } catch (error) {
    // Nothing answering, or no answers any more: the report says so, for the CI step that reads it.
    if (error instanceof CliError && error.exitCode === 1) {
      if (reporter === "junit") emitJUnit(out, failedConformanceJUnit(url, finished, planned, error.message), options.output);
      if (reporter === "json") out.data(failedConformanceJson(url, finished, planned, error.message));
    }
    throw error;
  } finally {
    releaseInterrupt();
    spinner.stop();
  }

  const strict = options.strict === true;
  if (reporter === "json") out.data(conformanceJson(report, strict));
  if (reporter === "junit") {
    emitJUnit(out, conformanceJUnit(report, strict), options.output);
  }
  // With JUnit on stdout the card goes to stderr, so the XML stays clean.
  if (reporter !== "json") printConformanceReport(out, report, { toStderr: reporter === "junit" && !options.output, strict });
  const failed = report.results.filter((result) => result.verdict === "fail").map((result) => result.id);
  const warned = strict ? report.results.filter((result) => result.verdict === "warn").map((result) => result.id) : [];
  if (failed.length > 0) {
    const alsoWarned = warned.length > 0 ? `, and ${warned.length} warned (${warned.join(", ")}), which --strict fails too` : "";
    throw new CliError(`conformance failed: ${failed.length} of ${report.results.length} checks (${failed.join(", ")})${alsoWarned}`);
  }
  if (warned.length > 0) throw new CliError(`conformance failed under --strict: ${warned.length} of ${report.results.length} checks warned (${warned.join(", ")})`);
}
