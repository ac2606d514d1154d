/**
 * A tool call's sends end with the call: when the client closes stdin (the server exits 0 at once,
 * every attempt made recorded) and when it cancels the call (notifications/cancelled). A spawned,
 * built `pinwheel-cli mcp` against a handler that takes 20 s to answer (slow tier: `npm run build` first).
 */
import { spawn } from "node:child_process";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { CLI_PATH, REPO_ROOT, tempHome, type TempHome } from "../helpers/cli.js";
import { startMcp, type McpSession } from "../helpers/mcp.js";
import { useRecordingServers } from "../helpers/servers.js";
import { waitUntil } from "../helpers/wait.js";
import { openDatabase } from "../../src/store/database.js";

const SLOW_MS = 20_000;
const startServer = useRecordingServers();
let home: TempHome | undefined;
let mcp: McpSession | undefined;

afterEach(async () => {
  await mcp?.close();
  mcp = undefined;
  home?.cleanup();
  home = undefined;
});

/** The attempts recorded in the store: source and error. */
function recorded(db: string): { source: string; error: string | null }[] {
  const store = openDatabase(db);
  try {
    return store.prepare("SELECT source, error FROM deliveries ORDER BY id").all() as { source: string; error: string | null }[];
  } finally {
    store.close();
  }
}

const message = (value: Record<string, unknown>) => `${JSON.stringify({ jsonrpc: "2.0", ...value })}\n`;

describe("stopping a tool call's sends", () => {
  it("stdin closed during run_smoke: no further POST, the attempt in flight is abandoned and recorded, exit 0 within seconds", async () => {
    const slow = await startServer(() => ({ status: 200, delayMs: SLOW_MS }));
    home = tempHome();
    const db = join(home.home, "events.db");
    const child = spawn(process.execPath, [CLI_PATH, "mcp", "--db", db], { cwd: REPO_ROOT, env: home.env, stdio: ["pipe", "pipe", "pipe"] });
    let stderr = "";
    child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString("utf8")));
    child.stdout.resume();
    const exited = new Promise<number | null>((resolve) => child.once("exit", (code) => resolve(code)));
    try {
      child.stdin.write(message({ id: 0, method: "initialize", params: { protocolVersion: "2025-06-18", capabilities: {}, clientInfo: { name: "t", version: "1" } } }));
      child.stdin.write(message({ method: "notifications/initialized" }));
      child.stdin.write(message({ id: 1, method: "tools/call", params: { name: "run_smoke", arguments: { to: slow.url } } }));
      await waitUntil(() => slow.requests.length === 1, 15_000);
      const closedAt = Date.now();
      child.stdin.end();
      expect(await exited, stderr).toBe(0);
      expect(Date.now() - closedAt).toBeLessThan(5_000);
      await new Promise((resolve) => setTimeout(resolve, 500));
      expect(slow.requests).toHaveLength(1);
      expect(recorded(db)).toEqual([{ source: "smoke", error: expect.stringMatching(/^abandoned/) }]);
    } finally {
      child.kill("SIGKILL");
    }
  }, 40_000);

  it("notifications/cancelled for run_smoke: its sends stop, the attempt in flight is abandoned and recorded, and the server goes on", async () => {
    const slow = await startServer(() => ({ status: 200, delayMs: SLOW_MS }));
    home = tempHome();
    const db = join(home.home, "events.db");
    mcp = await startMcp(["--db", db], home.env);
    const controller = new AbortController();
    const call = mcp.client.callTool({ name: "run_smoke", arguments: { to: slow.url } }, undefined, { signal: controller.signal });
    call.catch(() => {});
    await waitUntil(() => slow.requests.length === 1, 15_000);
    controller.abort("the user gave up");
    await expect(call).rejects.toThrow();
    await waitUntil(() => recorded(db).length === 1, 5_000);
    expect(recorded(db)).toEqual([{ source: "smoke", error: expect.stringMatching(/^abandoned/) }]);
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect(slow.requests).toHaveLength(1);
    const listed = await mcp.call("list_event_types", { family: "shifts" });
    expect(listed.isError).toBe(false);
    expect(mcp.stderr()).toMatch(/run_smoke: stopped/);
  }, 40_000);

  it("notifications/cancelled for run_conformance: the suite stops at the request in flight, and the server goes on", async () => {
    const slow = await startServer(() => ({ status: 200, delayMs: SLOW_MS }));
    home = tempHome();
    mcp = await startMcp(["--db", join(home.home, "events.db")], home.env);
    const controller = new AbortController();
    const call = mcp.client.callTool({ name: "run_conformance", arguments: { to: slow.url } }, undefined, { signal: controller.signal });
    call.catch(() => {});
    await waitUntil(() => slow.requests.length === 1, 15_000);
    controller.abort("the user gave up");
    await expect(call).rejects.toThrow();
    await waitUntil(() => /run_conformance: stopped/.test(mcp!.stderr()), 5_000);
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect(slow.requests).toHaveLength(1);
    const listed = await mcp.call("list_event_types", { family: "shifts" });
    expect(listed.isError).toBe(false);
  }, 40_000);

  it("notifications/cancelled during simulate_event with retry: the attempt in flight is abandoned and not retried", async () => {
    // Each answer a 503 after 1.5 s, and retries come at once (base 1 ms): a run not stopped sends its second attempt at 1.5 s.
    const failing = await startServer(() => ({ status: 503, delayMs: 1_500 }));
    home = tempHome();
    const db = join(home.home, "events.db");
    mcp = await startMcp(["--db", db], home.env);
    const controller = new AbortController();
    const call = mcp.client.callTool({ name: "simulate_event", arguments: { event: "paystubs.added", to: failing.url, retry: true, retry_base_ms: 1 } }, undefined, { signal: controller.signal });
    call.catch(() => {});
    await waitUntil(() => failing.requests.length === 1, 15_000);
    controller.abort("enough");
    await expect(call).rejects.toThrow();
    await new Promise((resolve) => setTimeout(resolve, 3_000));
    expect(failing.requests).toHaveLength(1);
    expect(recorded(db)).toEqual([{ source: "simulate", error: expect.stringMatching(/^abandoned/) }]);
  }, 40_000);

  it("retry_base_ms is bounded so that every retry comes within a minute", async () => {
    home = tempHome();
    mcp = await startMcp(["--db", join(home.home, "events.db")], home.env);
    const { tools } = await mcp.client.listTools();
    const simulate = tools.find((tool) => tool.name === "simulate_event")!;
    expect((simulate.inputSchema.properties as Record<string, { maximum?: number }>).retry_base_ms!.maximum).toBe(2_000);
  }, 20_000);
});
