/**
 * listen's stdout reader goes away (`listen --json | head -n 2`): it stops gracefully (what is in
 * flight is stored and answered), says why on stderr in one line and exits 141 like every other
 * command whose stdout closed. It used to take the SIGTERM process-hooks sends itself for a clean
 * stop: exit 0, and with --json not a word on stderr. The BUILT binary.
 */
import { spawn } from "node:child_process";
import { request } from "undici";
import { describe, expect, it } from "vitest";
import { CLI_PATH, REPO_ROOT } from "../../helpers/cli.js";
import { useListenRuns } from "../../helpers/listen-runs.js";
import { waitUntil } from "../../helpers/wait.js";
import { sendSignedEvent } from "../../helpers/send-signed.js";

const SECRET = "listen-stdout-closed-secret";
const runs = useListenRuns("SIGKILL");

const sendEvent = (url: string) => sendSignedEvent(url, SECRET);

async function stopsOnClosedStdout(json: boolean): Promise<{ code: number | null; stderr: string }> {
  const home = runs.tempHome();
  const child = spawn(process.execPath, [CLI_PATH, "listen", "--port", "0", "--secret", SECRET, ...(json ? ["--json"] : [])], { cwd: REPO_ROOT, env: home.env });
  let stderr = "";
  let stdout = "";
  child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString("utf8")));
  child.stdout.on("data", (chunk: Buffer) => (stdout += chunk.toString("utf8")));
  const closed = new Promise<number | null>((resolve) => child.once("close", resolve));
  try {
    await waitUntil(() => /http:\/\/127\.0\.0\.1:\d+\//.test(json ? stdout : stderr), 10_000);
    const url = /http:\/\/127\.0\.0\.1:\d+\//.exec(json ? stdout : stderr)![0];
    expect(await sendEvent(url)).toBe(200);
    await waitUntil(() => stdout.includes("income.added"), 5_000);
    child.stdout.destroy();
    // The next line listen writes meets the closed pipe; the request itself is stored and answered.
    expect(await sendEvent(url)).toBe(200);
    const code = await Promise.race([closed, new Promise<"hung">((resolve) => setTimeout(() => resolve("hung"), 10_000))]);
    return { code: code === "hung" ? -1 : code, stderr };
  } finally {
    child.kill("SIGKILL");
  }
}

describe("listen whose stdout reader quits", () => {
  for (const json of [true, false]) {
    it(`stops, says so on stderr and exits 141${json ? " (--json)" : ""}`, async () => {
      const { code, stderr } = await stopsOnClosedStdout(json);
      expect(code).toBe(141);
      const last = stderr.trim().split("\n").at(-1);
      expect(last).toMatch(/^stopped: stdout was closed \(its reader quit\); 2 request\(s\) stored (in|by this run)/);
      expect(stderr).not.toMatch(/^Stopped\./m);
    }, 30_000);
  }
});

describe("mock whose stdout reader quits", () => {
  it("stops, says so on stderr and exits 141 (--json)", async () => {
    const home = runs.tempHome();
    const child = spawn(process.execPath, [CLI_PATH, "mock", "--port", "0", "--json", "--db", `${home.home}/mock.db`], { cwd: REPO_ROOT, env: home.env });
    let stderr = "";
    let stdout = "";
    child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString("utf8")));
    child.stdout.on("data", (chunk: Buffer) => (stdout += chunk.toString("utf8")));
    const closed = new Promise<number | null>((resolve) => child.once("close", resolve));
    try {
      await waitUntil(() => /http:\/\/127\.0\.0\.1:\d+/.test(stdout), 10_000);
      const url = /http:\/\/127\.0\.0\.1:\d+/.exec(stdout)![0];
      child.stdout.destroy();
      // Its answer line meets the closed pipe.
      await (await request(`${url}/v1/webhooks`)).body.dump();
      const code = await Promise.race([closed, new Promise<"hung">((resolve) => setTimeout(() => resolve("hung"), 10_000))]);
      expect(code).toBe(141);
      expect(stderr.trim().split("\n").at(-1)).toBe("stopped: stdout was closed (its reader quit); the mock stopped");
    } finally {
      child.kill("SIGKILL");
    }
  }, 30_000);
});
