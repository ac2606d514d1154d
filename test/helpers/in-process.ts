/**
 * Runs the CLI in this test process, against the same program `bin/` runs (src/cli/run.ts):
 * argv parsing, usage errors and did-you-mean hints in milliseconds, without starting Node.
 *
 *   runInProcess(args, {env})   the same CliResult as runCli (code, stdout, stderr)
 *
 * stdout and stderr are captured by replacing their write() for the duration of the run, and
 * process.env is the given environment meanwhile (only config.ts reads it). Runs are serialized:
 * both are process-wide. Use it for commands that finish on their own; long-running ones
 * (listen, mock) and anything that reads stdin belong to the process tests (helpers/cli.ts).
 */
import type { CliResult } from "./cli.js";
import { runProgram } from "../../src/cli/run.js";

let queue: Promise<unknown> = Promise.resolve();

export function runInProcess(args: string[], options: { env: NodeJS.ProcessEnv }): Promise<CliResult> {
  const run = queue.then(() => runOnce(args, options.env));
  queue = run.catch(() => undefined);
  return run;
}

async function runOnce(args: string[], env: NodeJS.ProcessEnv): Promise<CliResult> {
  const stdout: string[] = [];
  const stderr: string[] = [];
  const capture = (into: string[]) =>
    ((chunk: string | Uint8Array, ...rest: unknown[]) => {
      into.push(typeof chunk === "string" ? chunk : Buffer.from(chunk).toString("utf8"));
      const done = rest.find((arg) => typeof arg === "function") as (() => void) | undefined;
      done?.();
      return true;
    }) as typeof process.stdout.write;
  const saved = { out: process.stdout.write, err: process.stderr.write, env: process.env, exitCode: process.exitCode };
  process.stdout.write = capture(stdout);
  process.stderr.write = capture(stderr);
  process.env = { ...env };
  process.exitCode = undefined;
  try {
    const code = await runProgram(["node", "pinwheel-cli", ...args]);
    return { code, stdout: stdout.join(""), stderr: stderr.join(""), timedOut: false };
  } finally {
    process.stdout.write = saved.out;
    process.stderr.write = saved.err;
    process.env = saved.env;
    process.exitCode = saved.exitCode;
  }
}
