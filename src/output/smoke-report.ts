import { statSync, writeFileSync } from "node:fs";
import { dirname, resolve } from "node:path";
import { CliError, usageError } from "../errors.js";
import type { Output } from "./index.js";

export type SmokeReporter = "table" | "junit" | "json";

/** --json, --reporter and --output as both smoke suites read them: --output is the JUnit file, so it implies that reporter. */
export function smokeReporter(options: { json?: boolean; reporter?: SmokeReporter; output?: string }): SmokeReporter {
  if (options.output && (options.json || options.reporter === "json")) {
    throw usageError("--output writes the JUnit XML report; for JSON, redirect stdout to a file instead");
  }
  return options.json ? "json" : options.output ? "junit" : (options.reporter ?? "table");
}

/** Checked before anything is sent: a report that cannot be written would lose every result. */
export function checkOutputDirectory(output: string): void {
  const directory = dirname(resolve(output));
  const isDirectory = statSync(directory, { throwIfNoEntry: false })?.isDirectory() ?? false;
  if (!isDirectory) throw usageError(`--output: the directory ${directory} does not exist; create it first (e.g. mkdir -p ${directory})`);
}

/** The JUnit XML to --output, or to stdout without it. */
export function emitJUnit(out: Output, xml: string, output: string | undefined): void {
  if (!output) {
    out.line(xml.trimEnd());
    return;
  }
  try {
    writeFileSync(output, xml);
  } catch (error) {
    throw new CliError(`cannot write the JUnit report to ${output}: ${(error as Error).message}`);
  }
  out.notice(`JUnit report written to ${output}`);
}
