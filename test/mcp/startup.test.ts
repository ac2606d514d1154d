/**
 * The MCP SDK is loaded by `pinwheel-cli mcp` only: every other command starts as before. Runs the
 * built CLI under a resolve hook that logs each module the loader resolves (slow tier).
 */
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { CLI_PATH, REPO_ROOT, tempHome } from "../helpers/cli.js";

const HOOK = new URL("../library/fixtures/record-resolutions.mjs", import.meta.url);
const SDK = /\/node_modules\/@modelcontextprotocol\/sdk\//;
const MCP_MODULES = /\/dist\/(mcp\/|commands\/mcp\.js)/;

const dir = mkdtempSync(join(tmpdir(), "pinwheel-cli-mcp-startup-"));
const home = tempHome();
afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
  home.cleanup();
});

/** The URLs the built CLI resolved while running `args` (stdin closed at once). */
function resolvedBy(args: string[]): string[] {
  const log = join(dir, `${Math.random().toString(36).slice(2)}.log`);
  const child = spawnSync(process.execPath, ["--import", HOOK.href, CLI_PATH, ...args], {
    cwd: REPO_ROOT,
    env: { ...home.env, RESOLUTION_LOG: log },
    input: "",
    encoding: "utf8",
    // Generous: on a loaded shared machine a cold start of node with a resolve hook takes seconds.
    timeout: 50_000,
  });
  expect(child.status, child.stderr).toBe(0);
  return readFileSync(log, "utf8").split("\n").filter(Boolean);
}

describe("start-up without the MCP SDK", () => {
  it.each([[["--help"]], [["listen", "--help"]], [["simulate", "--help"]], [["mcp", "--help"]], [["fixtures", "list", "--json"]]])(
    "pinwheel-cli %j loads neither the SDK nor the server",
    (args) => {
      const loaded = resolvedBy(args);
      expect(loaded.length).toBeGreaterThan(0);
      expect(loaded.filter((url) => SDK.test(url) || MCP_MODULES.test(url))).toEqual([]);
    },
    60_000,
  );

  it("pinwheel-cli mcp does load it (the check above can fail), and exits 0 when the client closes stdin", () => {
    const loaded = resolvedBy(["mcp"]);
    expect(loaded.some((url) => SDK.test(url))).toBe(true);
    expect(loaded.some((url) => MCP_MODULES.test(url))).toBe(true);
  }, 60_000);
});

describe("what the client sends that is not JSON-RPC", () => {
  const initialize = `${JSON.stringify({ jsonrpc: "2.0", id: 0, method: "initialize", params: { protocolVersion: "2025-06-18", capabilities: {}, clientInfo: { name: "t", version: "1" } } })}\n`;

  it("answers a line that is not JSON with a Parse error and one that is not a request with Invalid Request, and goes on serving; ends with exit 1 and one line when a message is past the 10 MiB buffer", () => {
    const listTools = `${JSON.stringify({ jsonrpc: "2.0", id: 1, method: "tools/list" })}\n`;
    const kept = spawnSync(process.execPath, [CLI_PATH, "mcp"], { cwd: REPO_ROOT, env: home.env, input: `${initialize}{not json\n[]\n{"jsonrpc":"2.0","id":2}\n${listTools}`, encoding: "utf8", timeout: 50_000 });
    expect(kept.status, kept.stderr).toBe(0);
    const answers = kept.stdout.trim().split("\n").map((line) => JSON.parse(line) as Record<string, unknown>);
    // Answers to lines refused go out at once, before those the server works on: JSON-RPC does not order them.
    const summary = answers.map(({ id, error }) => ({ id, code: (error as { code?: number } | undefined)?.code }));
    expect(summary).toHaveLength(5);
    expect(summary).toEqual(
      expect.arrayContaining([
        { id: 0, code: undefined },
        { id: null, code: -32700 },
        { id: null, code: -32600 },
        { id: 2, code: -32600 },
        { id: 1, code: undefined },
      ]),
    );
    expect(answers.find(({ error }) => (error as { code?: number } | undefined)?.code === -32700)).toMatchObject({ jsonrpc: "2.0", error: { message: "Parse error" } });
    expect(kept.stderr).toMatch(/^pinwheel-cli mcp: refused a line: answered -32700 Parse error: the line is not JSON/m);
    expect(kept.stderr).not.toMatch(/\n\s+at /);

    const tooLong = spawnSync(process.execPath, [CLI_PATH, "mcp"], { cwd: REPO_ROOT, env: home.env, input: `${initialize}${"a".repeat(11 * 1024 * 1024)}`, encoding: "utf8", timeout: 50_000 });
    expect(tooLong.status).toBe(1);
    expect(tooLong.stderr).toMatch(/^error: the MCP connection closed after an error: a message went past 10 MiB without a newline$/m);
    expect(tooLong.stderr).not.toMatch(/\n\s+at /);
  }, 60_000);
});

describe("a request whose params do not match it", () => {
  it("is answered -32602 Invalid params in one line, not -32603 with the schema's issues, and a method the server lacks stays -32601", () => {
    const lines = [
      { jsonrpc: "2.0", id: 1, method: "initialize", params: {} },
      { jsonrpc: "2.0", id: 2, method: "initialize", params: { protocolVersion: "2025-06-18", capabilities: {}, clientInfo: { name: "t", version: "1" } } },
      { jsonrpc: "2.0", method: "notifications/initialized" },
      { jsonrpc: "2.0", id: 3, method: "tools/call", params: {} },
      { jsonrpc: "2.0", id: 4, method: "tools/call", params: { name: "simulate_event", arguments: "x" } },
      { jsonrpc: "2.0", id: 5, method: "resources/read", params: {} },
      { jsonrpc: "2.0", id: 6, method: "tools/list", params: { cursor: 5 } },
      { jsonrpc: "2.0", id: 7, method: "completion/complete", params: {} },
      { jsonrpc: "2.0", id: 8, method: "prompts/get", params: {} },
    ];
    const result = spawnSync(process.execPath, [CLI_PATH, "mcp"], { cwd: REPO_ROOT, env: home.env, input: lines.map((l) => `${JSON.stringify(l)}\n`).join(""), encoding: "utf8", timeout: 50_000 });
    expect(result.status, result.stderr).toBe(0);
    const answers = new Map(result.stdout.trim().split("\n").map((text) => JSON.parse(text) as { id: number; error?: { code: number; message: string; data?: string } }).map((a) => [a.id, a]));
    expect(answers.get(1)!.error).toEqual({ code: -32602, message: "Invalid params", data: expect.stringMatching(/^params\.protocolVersion: expected string, received undefined/) });
    expect(answers.get(2)!.error).toBeUndefined();
    for (const id of [3, 4, 5, 6, 7]) {
      const error = answers.get(id)!.error!;
      expect(error, String(id)).toMatchObject({ code: -32602, message: "Invalid params" });
      expect(error.data).toMatch(/^params\.\w+: [^\n]+$/);
    }
    expect(answers.get(8)!.error).toMatchObject({ code: -32601 });
    expect(result.stdout).not.toContain("-32603");
    expect(result.stderr).toMatch(/^pinwheel-cli mcp: refused a line: answered -32602 Invalid params: params\.protocolVersion: expected string/m);
  }, 60_000);
});
