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
