import { spawn, type ChildProcess } from "node:child_process";
import { join } from "node:path";
import { REPO_ROOT } from "../helpers/cli.js";

export interface RunningExample {
  /** The webhook endpoint the example printed, e.g. http://127.0.0.1:41234/webhooks/pinwheel */
  url: string;
  /** The example's GET /stats: how many distinct events it handled, and how many duplicates it dropped. */
  stats(): Promise<{ handled: number; duplicates: number }>;
  output(): string;
  stop(): Promise<void>;
}

/**
 * Starts examples/<name>/server.mjs on a free port (PORT=0) and resolves once it printed
 * "listening on <url>". It imports "@pinwheel-cli/webhooks", which the npm workspace links to
 * packages/webhooks/: the package npm run build bundles into packages/webhooks/dist/.
 */
export function startExample(name: string, secret: string, env: NodeJS.ProcessEnv, readyTimeoutMs = 10_000): Promise<RunningExample> {
  const child: ChildProcess = spawn(process.execPath, [join(REPO_ROOT, "examples", name, "server.mjs")], {
    cwd: REPO_ROOT,
    env: { ...env, PORT: "0", PINWHEEL_API_SECRET: secret },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let output = "";
  const exited = new Promise<void>((resolve) => child.once("close", () => resolve()));
  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill("SIGTERM");
      const killer = setTimeout(() => child.kill("SIGKILL"), 3_000);
      await exited;
      clearTimeout(killer);
    }
  };
  return new Promise((resolve, reject) => {
    const fail = (message: string) => {
      clearTimeout(timer);
      child.kill("SIGKILL");
      reject(new Error(`${name}: ${message}\n${output}`));
    };
    const timer = setTimeout(() => fail(`not listening within ${readyTimeoutMs} ms`), readyTimeoutMs);
    let listening = false;
    child.once("close", (code) => {
      if (!listening) fail(`exited (code ${code}) before listening`);
    });
    child.stderr!.on("data", (chunk: Buffer) => (output += chunk.toString("utf8")));
    child.stdout!.on("data", (chunk: Buffer) => {
      output += chunk.toString("utf8");
      const match = /listening on (http:\/\/\S+)/.exec(output);
      if (!match) return;
      if (listening) return;
      listening = true;
      clearTimeout(timer);
      const url = match[1]!;
      resolve({
        url,
        async stats() {
          const response = await fetch(new URL("/stats", url), { signal: AbortSignal.timeout(5_000) });
          return (await response.json()) as { handled: number; duplicates: number };
        },
        output: () => output,
        stop,
      });
    });
  });
}
