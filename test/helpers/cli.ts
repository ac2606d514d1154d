/**
 * Helpers for end-to-end tests that run the BUILT CLI (`node bin/pinwheel-cli.cjs`, so run
 * `npm run build` first) as a real child process.
 *
 *   tempHome()                 a throwaway PINWHEEL_HOME and a clean environment for it
 *   runCli(args, {env})        run one command to completion (bounded by a timeout)
 *   startListen(args, env)     start `listen --port 0 --json`, wait for its ready line
 *
 * Every child is killed when its timeout passes, when `stop()` is called, and (as a last
 * resort) when the test worker exits, so a failing test never leaves a process behind.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

/** The repository root, resolved from this file (test/helpers/cli.ts). */
export const REPO_ROOT = fileURLToPath(new URL("../../", import.meta.url));
/** The built CLI's entry point. */
export const CLI_PATH = join(REPO_ROOT, "bin", "pinwheel-cli.cjs");

/** What a command that does not stop by itself ends with on each stop signal: its exit code and last stderr line (src/cli/process-hooks.ts). */
export const STOP_SIGNALS = [
  ["SIGINT", 130, "interrupted (Ctrl+C)"],
  ["SIGTERM", 143, "terminated (SIGTERM)"],
] as const;

const live = new Set<ChildProcess>();
process.once("exit", () => {
  for (const child of live) child.kill("SIGKILL");
});

function track(child: ChildProcess): ChildProcess {
  live.add(child);
  child.once("exit", () => live.delete(child));
  return child;
}

export interface TempHome {
  /** The temp directory; the CLI keeps its data (data/events.db) and config under it. */
  home: string;
  /** process.env without PINWHEEL_API_SECRET, PINWHEEL_CLI_DB, NO_COLOR, FORCE_COLOR; plus PINWHEEL_HOME=home, NO_COLOR=1, CI=true. */
  env: NodeJS.ProcessEnv;
  /** Removes the directory (stop the processes using it first). */
  cleanup(): void;
}

/** A fresh PINWHEEL_HOME in the OS temp dir, and an environment that points the CLI at it. */
export function tempHome(): TempHome {
  const home = mkdtempSync(join(tmpdir(), "pinwheel-cli-test-"));
  const env: NodeJS.ProcessEnv = { ...process.env };
  for (const name of ["PINWHEEL_API_SECRET", "PINWHEEL_CLI_DB", "NO_COLOR", "FORCE_COLOR"]) delete env[name];
  Object.assign(env, { PINWHEEL_HOME: home, NO_COLOR: "1", CI: "true" });
  return {
    home,
    env,
    cleanup() {
      rmSync(home, { recursive: true, force: true, maxRetries: 3 });
    },
  };
}

export interface CliResult {
  /** Exit code; null when the process was killed by a signal (e.g. after the timeout). */
  code: number | null;
  stdout: string;
  stderr: string;
  /** True when runCli killed the process because it outlived timeoutMs. */
  timedOut: boolean;
}

export interface RunCliOptions {
  env: NodeJS.ProcessEnv;
  /** Written to stdin, which is then closed. Without it stdin is closed at once (EOF, not a TTY). */
  input?: string | Buffer;
  /** Write input only this long after the start, as a slow producer in a shell pipe does. */
  inputAfterMs?: number;
  /** SIGKILL after this long (default 15 s); the result then has code null and timedOut true. */
  timeoutMs?: number;
  /** Another installation's bin/pinwheel-cli.cjs (default: this repository's). */
  cliPath?: string;
}

/** Runs `node bin/pinwheel-cli.cjs ...args` from the repository root and collects its output. */
export function runCli(args: string[], options: RunCliOptions): Promise<CliResult> {
  const timeoutMs = options.timeoutMs ?? 15_000;
  return new Promise((resolve, reject) => {
    const child = track(
      spawn(process.execPath, [options.cliPath ?? CLI_PATH, ...args], { cwd: REPO_ROOT, env: options.env, stdio: ["pipe", "pipe", "pipe"] }),
    );
    const stdout: Buffer[] = [];
    const stderr: Buffer[] = [];
    let timedOut = false;
    child.stdout!.on("data", (chunk: Buffer) => stdout.push(chunk));
    child.stderr!.on("data", (chunk: Buffer) => stderr.push(chunk));
    // The child may exit without reading stdin; an EPIPE here is not a test failure.
    child.stdin!.on("error", () => {});
    const input = options.input ?? "";
    const late = options.inputAfterMs === undefined ? undefined : setTimeout(() => child.stdin!.end(input), options.inputAfterMs);
    if (late === undefined) child.stdin!.end(input);
    child.once("exit", () => clearTimeout(late));
    const timer = setTimeout(() => {
      timedOut = true;
      child.kill("SIGKILL");
    }, timeoutMs);
    child.once("error", (error) => {
      clearTimeout(timer);
      reject(error);
    });
    // "close" (not "exit") so that every byte of stdout and stderr has been read.
    child.once("close", (code) => {
      clearTimeout(timer);
      resolve({
        code,
        stdout: Buffer.concat(stdout).toString("utf8"),
        stderr: Buffer.concat(stderr).toString("utf8"),
        timedOut,
      });
    });
  });
}

export interface Listener {
  /** The receiver's URL from the ready line, e.g. http://127.0.0.1:41234/ */
  url: string;
  port: number;
  /** The ready line itself: {type: "ready", url, port, db}. */
  ready: Record<string, unknown>;
  /** Every stdout line after the ready line, parsed (a line that is not JSON appears as {unparsable: line}). */
  lines(): unknown[];
  /** All of stdout so far, raw (ready line included). */
  stdout(): string;
  /** Resolves with the first line after ready that matches, waiting for it up to timeoutMs (default 5 s). */
  waitFor(predicate: (line: unknown) => boolean, timeoutMs?: number): Promise<unknown>;
  /** Sends the signal (default SIGTERM), waits up to 5 s for exit (then SIGKILL). Safe to call twice. */
  stop(signal?: NodeJS.Signals): Promise<{ code: number | null; stderr: string }>;
  process: ChildProcess;
}

/**
 * Starts `pinwheel-cli listen --port 0 --json ...args` and resolves once it printed its
 * `{"type":"ready","url":...}` line. Rejects (and kills the process) if it exits first or is
 * not ready within readyTimeoutMs (default 10 s).
 */
export function startListen(args: string[], env: NodeJS.ProcessEnv, readyTimeoutMs = 10_000): Promise<Listener> {
  const child = track(
    spawn(process.execPath, [CLI_PATH, "listen", "--port", "0", "--json", ...args], {
      cwd: REPO_ROOT,
      env,
      stdio: ["pipe", "pipe", "pipe"],
    }),
  );
  child.stdin!.on("error", () => {});
  child.stdin!.end();

  let stdoutText = "";
  let stderrText = "";
  let partial = "";
  const parsed: unknown[] = [];
  const waiters = new Set<() => void>();
  let exitInfo: { code: number | null } | undefined;
  const exited = new Promise<{ code: number | null }>((resolve) => {
    child.once("close", (code) => {
      exitInfo = { code };
      resolve(exitInfo);
      for (const wake of waiters) wake();
    });
  });

  child.stderr!.on("data", (chunk: Buffer) => (stderrText += chunk.toString("utf8")));

  return new Promise<Listener>((resolve, reject) => {
    let ready: Record<string, unknown> | undefined;
    const fail = (message: string) => {
      clearTimeout(timer);
      child.kill("SIGKILL");
      reject(new Error(`${message}\nstdout: ${stdoutText}\nstderr: ${stderrText}`));
    };
    const timer = setTimeout(() => fail(`listen was not ready within ${readyTimeoutMs} ms`), readyTimeoutMs);
    child.once("close", (code) => {
      if (!ready) fail(`listen exited (code ${code}) before its ready line`);
    });
    child.once("error", (error) => fail(`listen could not start: ${error.message}`));

    child.stdout!.on("data", (chunk: Buffer) => {
      const text = chunk.toString("utf8");
      stdoutText += text;
      partial += text;
      const complete = partial.split("\n");
      partial = complete.pop()!;
      for (const line of complete) {
        let value: unknown;
        try {
          value = JSON.parse(line);
        } catch {
          value = { unparsable: line };
        }
        if (!ready) {
          const first = value as Record<string, unknown>;
          if (first && first.type === "ready" && typeof first.url === "string") {
            ready = first;
            clearTimeout(timer);
            resolve(makeListener(first));
          } else {
            fail(`listen's first stdout line is not {"type":"ready",...}: ${line}`);
          }
          continue;
        }
        parsed.push(value);
      }
      for (const wake of waiters) wake();
    });
  });

  function makeListener(readyLine: Record<string, unknown>): Listener {
    const url = readyLine.url as string;
    return {
      url,
      port: Number(readyLine.port ?? new URL(url).port),
      ready: readyLine,
      lines: () => [...parsed],
      stdout: () => stdoutText,
      waitFor(predicate, timeoutMs = 5_000) {
        return new Promise((resolve, reject) => {
          const check = () => {
            const found = parsed.find(predicate);
            if (found !== undefined) {
              done();
              resolve(found);
            } else if (exitInfo) {
              done();
              reject(new Error(`listen exited (code ${exitInfo.code}) before the awaited line; stderr: ${stderrText}`));
            }
          };
          const timer = setTimeout(() => {
            done();
            reject(new Error(`no matching listen line within ${timeoutMs} ms; lines: ${JSON.stringify(parsed)}`));
          }, timeoutMs);
          const done = () => {
            clearTimeout(timer);
            waiters.delete(check);
          };
          waiters.add(check);
          check();
        });
      },
      async stop(signal: NodeJS.Signals = "SIGTERM") {
        if (!exitInfo) {
          child.kill(signal);
          const killer = setTimeout(() => child.kill("SIGKILL"), 5_000);
          await exited;
          clearTimeout(killer);
        }
        return { code: exitInfo!.code, stderr: stderrText };
      },
      process: child,
    };
  }
}
