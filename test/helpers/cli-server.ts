/**
 * Starts a long-running command of the BUILT CLI (e.g. `mock --port 0 --json`) and resolves once
 * it printed its `{"type":"ready",...}` line. The process is killed on stop(), on a timeout, and
 * when the test worker exits.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { CLI_PATH, REPO_ROOT } from "./cli.js";

const live = new Set<ChildProcess>();
process.once("exit", () => {
  for (const child of live) child.kill("SIGKILL");
});

export interface CliServer {
  ready: { url: string; port: number; [key: string]: unknown };
  /** Every stdout line after the ready one, parsed. */
  lines(): unknown[];
  stop(): Promise<{ code: number | null; stderr: string }>;
}

export function startCliServer(args: string[], env: NodeJS.ProcessEnv, readyTimeoutMs = 10_000): Promise<CliServer> {
  const child = spawn(process.execPath, [CLI_PATH, ...args], { cwd: REPO_ROOT, env, stdio: ["pipe", "pipe", "pipe"] });
  live.add(child);
  child.stdin.on("error", () => {});
  child.stdin.end();
  let stdout = "";
  let stderr = "";
  const exited = new Promise<number | null>((resolve) => child.once("close", (code) => resolve(code)));
  child.once("exit", () => live.delete(child));
  child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString("utf8")));

  return new Promise<CliServer>((resolve, reject) => {
    let ready: CliServer["ready"] | undefined;
    const timer = setTimeout(() => {
      child.kill("SIGKILL");
      reject(new Error(`not ready within ${readyTimeoutMs} ms\nstdout: ${stdout}\nstderr: ${stderr}`));
    }, readyTimeoutMs);
    void exited.then((code) => {
      if (ready) return;
      clearTimeout(timer);
      reject(new Error(`exited (code ${code}) before its ready line\nstdout: ${stdout}\nstderr: ${stderr}`));
    });
    child.stdout.on("data", (chunk: Buffer) => {
      stdout += chunk.toString("utf8");
      if (ready || !stdout.includes("\n")) return;
      const first = JSON.parse(stdout.slice(0, stdout.indexOf("\n"))) as CliServer["ready"] & { type?: string };
      if (first.type !== "ready") return reject(new Error(`first line is not ready: ${stdout}`));
      ready = first;
      clearTimeout(timer);
      resolve({
        ready,
        lines: () =>
          stdout
            .split("\n")
            .slice(1)
            .filter(Boolean)
            .map((line) => JSON.parse(line) as unknown),
        async stop() {
          child.kill("SIGTERM");
          const killer = setTimeout(() => child.kill("SIGKILL"), 5000);
          const code = await exited;
          clearTimeout(killer);
          return { code, stderr };
        },
      });
    });
  });
}
