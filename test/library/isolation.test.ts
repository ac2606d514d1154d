/**
 * Importing the library (the BUILT dist/index.js) must not load the CLI, SQLite or terminal
 * packages: a handler that verifies webhooks should pay for zod and node:crypto, nothing else.
 */
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { afterAll, describe, expect, it } from "vitest";
import { REPO_ROOT } from "../helpers/cli.js";

const HOOK = new URL("./fixtures/record-resolutions.mjs", import.meta.url);
const FORBIDDEN = /\/node_modules\/(commander|@commander-js\/extra-typings|better-sqlite3|chalk|ora|@inquirer\/[^/]+|undici)\//;
const CLI_MODULES = /\/dist\/(cli|main|options|commands\/|store\/|output\/|delivery\/|receiver\/|cli\/)/;

const dir = mkdtempSync(join(tmpdir(), "pinwheel-cli-isolation-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** The URLs resolved while a fresh node process imports `entry` and uses what `use` says. */
function resolvedBy(entry: string, use = ""): string[] {
  const log = join(dir, `${Math.random().toString(36).slice(2)}.log`);
  const url = pathToFileURL(join(REPO_ROOT, entry)).href;
  const script = `const m = await import(${JSON.stringify(url)}); ${use}`;
  const child = spawnSync(process.execPath, ["--import", HOOK.href, "--input-type=module", "-e", script], {
    env: { ...process.env, RESOLUTION_LOG: log },
    encoding: "utf8",
    timeout: 15_000,
  });
  expect(child.status, child.stderr).toBe(0);
  return readFileSync(log, "utf8").split("\n").filter(Boolean);
}

describe("the library entry", () => {
  it("loads zod but no CLI, SQLite, HTTP client or terminal package, even when used", () => {
    const loaded = resolvedBy(
      "dist/index.js",
      `const r = m.createSignedRequest("paystubs.added", { secret: "s" });
       m.parseWebhookEvent({ secret: "s", headers: r.headers, rawBody: r.body });
       m.diagnoseWebhook({ rawBody: r.body, signature: r.headers["x-pinwheel-signature"], timestamp: "1", secret: "t", now: Date.now() });`,
    );
    // The hook saw the library and its one heavy dependency: the check below is not vacuous.
    expect(loaded.some((url) => url.endsWith("/dist/index.js"))).toBe(true);
    expect(loaded.some((url) => url.includes("/node_modules/zod/"))).toBe(true);
    expect(loaded.filter((url) => FORBIDDEN.test(url))).toEqual([]);
    expect(loaded.filter((url) => CLI_MODULES.test(url))).toEqual([]);
  });

  it("is told apart from the CLI entry, which does load commander (the probe works)", () => {
    const loaded = resolvedBy("dist/cli.js");
    expect(loaded.some((url) => FORBIDDEN.test(url))).toBe(true);
  });
});
