/**
 * SIGINT and SIGTERM end a command that does not stop gracefully itself, even when a library has
 * its own handler for them: the prompts (@inquirer/core) install signal-exit's, which acts only
 * when it is the sole handler. The process-wide handler used to wait whenever another was there,
 * so a prompt sent a signal (a CI timeout, an IDE's stop button, `kill`) hung until SIGKILL.
 * A preloaded module installs signal-exit's handler, as a prompt does, in the BUILT binary.
 */
import { spawn } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { CLI_PATH, REPO_ROOT, STOP_SIGNALS, tempHome } from "../helpers/cli.js";
import { useRecordingServers } from "../helpers/servers.js";
import { waitUntil } from "../helpers/wait.js";

const home = tempHome();
const work = mkdtempSync(join(tmpdir(), "pinwheel-stop-signals-"));
const preload = join(work, "signal-exit-preload.cjs");
// The copy the prompts use: @inquirer/core's dependency, resolved from there.
const signalExit = createRequire(createRequire(import.meta.url).resolve("@inquirer/core")).resolve("signal-exit");
writeFileSync(preload, `require(${JSON.stringify(signalExit)}).onExit(() => {});\n`);
afterAll(() => {
  home.cleanup();
  rmSync(work, { recursive: true, force: true });
});

const server = useRecordingServers();

describe("a stop signal while a library also handles it", () => {
  for (const [signal, code, line] of STOP_SIGNALS) {
    it(`ends the command on ${signal} with ${code}, not a hang`, async () => {
      const app = await server(() => ({ status: 200, delayMs: 120_000 }));
      const args = ["simulate", "paystubs.added", "--to", app.url, "--secret", "stop-signals-secret", "--db", join(work, `${signal}.db`)];
      const child = spawn(process.execPath, [CLI_PATH, ...args], {
        cwd: REPO_ROOT,
        env: { ...home.env, NODE_OPTIONS: `--require ${preload}` },
      });
      let stderr = "";
      child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString("utf8")));
      const closed = new Promise<number | null>((resolve) => child.once("close", resolve));
      await waitUntil(() => app.requests.length === 1, 30_000);
      child.kill(signal);
      const exited = await Promise.race([closed, new Promise<"hung">((resolve) => setTimeout(() => resolve("hung"), 10_000))]);
      if (exited === "hung") child.kill("SIGKILL");
      expect(exited).toBe(code);
      expect(stderr.trim().split("\n").at(-1)).toBe(line);
    }, 60_000);
  }
});
