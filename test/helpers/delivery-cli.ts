/**
 * Small assertions shared by the delivery command tests (simulate, replay, smoke) that run the
 * built CLI: exit codes with context, one-line errors, NDJSON, and the recorded attempts.
 */
import { createServer } from "node:net";
import { expect } from "vitest";
import { runCli, type CliResult } from "./cli.js";
import type { AttemptView } from "../../src/inspector/ui/types.js";

export function describeRun(result: CliResult): string {
  return `exit ${result.code}${result.timedOut ? " (timed out)" : ""}\nstdout: ${result.stdout}\nstderr: ${result.stderr}`;
}

export function expectExit(result: CliResult, code: number): void {
  expect(result.code, describeRun(result)).toBe(code);
}

/** The non-empty lines of stderr. */
export function errorLines(stderr: string): string[] {
  return stderr.split("\n").filter((line) => line.trim() !== "");
}

/** Exactly one non-empty stderr line and no stack trace; returns it. */
export function expectOneLineError(stderr: string): string {
  const lines = errorLines(stderr);
  expect(lines, `stderr: ${stderr}`).toHaveLength(1);
  expect(stderr).not.toMatch(/^\s+at /m);
  expect(stderr).not.toMatch(/node:internal|\.js:\d+/);
  return lines[0]!;
}

/** Parses stdout as NDJSON: one JSON object per non-empty line. */
export function ndjson(stdout: string): Record<string, unknown>[] {
  return stdout
    .split("\n")
    .filter((line) => line.trim() !== "")
    .map((line) => JSON.parse(line) as Record<string, unknown>);
}

/** The per-attempt records of a sending command's --json output, without its summary line. */
export function attemptRecords(stdout: string): Record<string, unknown>[] {
  return ndjson(stdout).filter((record) => record.type === "attempt");
}

/** A delivery attempt as `deliveries list --json` prints it: the one attempt view (src/delivery/attempt-json.ts). */
export type AttemptRow = AttemptView;

/** Recorded attempts, oldest first (the command lists newest first). */
export async function deliveriesList(env: NodeJS.ProcessEnv, args: string[] = []): Promise<AttemptRow[]> {
  const result = await runCli(["deliveries", "list", "--json", "--limit", "500", ...args], { env });
  expectExit(result, 0);
  return (JSON.parse(result.stdout) as AttemptRow[]).reverse();
}

/** A port nothing listens on: bound by the OS for a moment, then released. */
export async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}
