import type { ChildProcess, SpawnOptions } from "node:child_process";
import { accessSync, constants, statSync } from "node:fs";
import { join } from "node:path";
import { publicUrlFrom, tunnelArgs, type TunnelProgram } from "./public-url.js";

/**
 * Runs a tunnel program (cloudflared, ngrok) for listen's port and reads the public URL it
 * prints. The spawn function is injected: the command passes node's, tests may pass their own.
 */

export type SpawnFunction = (command: string, args: readonly string[], options: SpawnOptions) => ChildProcess;

export interface TunnelOptions {
  program: TunnelProgram;
  /** Where the tunnel forwards to: listen's own receiver, e.g. http://127.0.0.1:3000 */
  localUrl: string;
  spawn: SpawnFunction;
  /** How long to wait for the public URL before giving up. */
  timeoutMs: number;
  /** Aborting (Ctrl+C while waiting) stops the program and rejects with TunnelAbortedError. */
  signal?: AbortSignal;
}

export interface Tunnel {
  program: TunnelProgram;
  publicUrl: string;
  /** Resolves when the program exits, by stop() or on its own. */
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  /** The program's last lines of output, for saying why it stopped. */
  lastLines(): string[];
  /** SIGTERM, then SIGKILL if it is still running after graceMs. */
  stop(graceMs?: number): Promise<void>;
}

/** The program is not on PATH. */
export class TunnelNotFoundError extends Error {
  readonly program: TunnelProgram;
  constructor(program: TunnelProgram) {
    super(`${program} is not on PATH`);
    this.name = "TunnelNotFoundError";
    this.program = program;
  }
}

/** The program exited, failed to start or printed no public URL in time. */
export class TunnelStartError extends Error {
  readonly program: TunnelProgram;
  readonly lines: string[];
  constructor(program: TunnelProgram, message: string, lines: string[]) {
    super(message);
    this.name = "TunnelStartError";
    this.program = program;
    this.lines = lines;
  }
}

export class TunnelAbortedError extends Error {
  constructor() {
    super("stopped before the tunnel was up");
    this.name = "TunnelAbortedError";
  }
}

/** The program's path in the first of `dirs` that holds it as an executable file, else undefined. */
export function findOnPath(program: TunnelProgram, dirs: readonly string[], platform: NodeJS.Platform = process.platform): string | undefined {
  const names = platform === "win32" ? [`${program}.exe`, `${program}.cmd`] : [program];
  for (const dir of dirs) {
    for (const name of names) {
      const candidate = join(dir, name);
      try {
        if (!statSync(candidate).isFile()) continue;
        accessSync(candidate, constants.X_OK);
        return candidate;
      } catch {
        // not here
      }
    }
  }
  return undefined;
}

/** Output kept for error messages; the rest is read and dropped so the program never blocks on a full pipe. */
const KEPT_LINES = 20;
const MAX_LINE_CHARS = 16_384;

export function startTunnel(options: TunnelOptions): Promise<Tunnel> {
  const { program } = options;
  const child = options.spawn(program, tunnelArgs(program, options.localUrl), { stdio: ["ignore", "pipe", "pipe"] });
  const kept: string[] = [];
  let exitInfo: { code: number | null; signal: NodeJS.Signals | null } | undefined;
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => {
    child.once("exit", (code, signal) => {
      exitInfo = { code, signal };
      resolve(exitInfo);
    });
  });

  const stop = async (graceMs = 3_000) => {
    if (exitInfo || child.exitCode !== null || child.pid === undefined) return;
    child.kill("SIGTERM");
    const killer = setTimeout(() => child.kill("SIGKILL"), graceMs);
    await exited;
    clearTimeout(killer);
  };

  return new Promise<Tunnel>((resolve, reject) => {
    let settled = false;
    const settle = (work: () => void) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      options.signal?.removeEventListener("abort", onAbort);
      work();
    };
    const fail = (error: Error) => settle(() => void stop().then(() => reject(error)));
    const onAbort = () => fail(new TunnelAbortedError());
    const timer = setTimeout(
      () => fail(new TunnelStartError(program, `${program} printed no public URL within ${Math.round(options.timeoutMs / 1000)} s`, [...kept])),
      options.timeoutMs,
    );
    if (options.signal?.aborted) return onAbort();
    options.signal?.addEventListener("abort", onAbort, { once: true });

    const onLine = (line: string) => {
      if (line.trim() === "") return;
      kept.push(line.slice(0, MAX_LINE_CHARS));
      if (kept.length > KEPT_LINES) kept.shift();
      const url = publicUrlFrom(program, line);
      if (url) settle(() => resolve({ program, publicUrl: url, exited, lastLines: () => [...kept], stop }));
    };
    for (const stream of [child.stdout, child.stderr]) {
      let partial = "";
      stream?.setEncoding("utf8");
      stream?.on("data", (chunk: string) => {
        const lines = (partial + chunk).split(/\r?\n/);
        partial = (lines.pop() ?? "").slice(-MAX_LINE_CHARS);
        lines.forEach(onLine);
      });
    }
    child.once("error", (error: NodeJS.ErrnoException) => {
      if (error.code === "ENOENT") return fail(new TunnelNotFoundError(program));
      fail(new TunnelStartError(program, `${program} could not be started: ${error.message}`, [...kept]));
    });
    void exited.then(({ code, signal }) => {
      // Its last words arrive on the pipes around the exit; give them a turn before quoting them.
      setImmediate(() =>
        fail(new TunnelStartError(program, `${program} exited (${signal ?? `code ${code}`}) before printing its public URL`, [...kept])),
      );
    });
  });
}
