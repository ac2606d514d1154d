import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runCli, tempHome } from "../helpers/cli.js";
import { startWebhookSink, type WebhookSink } from "../helpers/webhook-sink.js";

/**
 * keepWasmOnBaselineCompiler sets a V8 flag that JavaScript cannot read back; what a process can
 * see is node:v8, which only that call loads in the CLI. A preloaded probe records whether the
 * built CLI loaded it: a run past 20 deliveries (undici's pool, whose parser the flag is for) must,
 * a one-shot simulate (node:http, no WebAssembly) must not pay the 4 ms.
 */
const SECRET = "short-run-wasm-secret";
const work = mkdtempSync(join(tmpdir(), "pinwheel-short-run-wasm-"));
const home = tempHome();
const probe = join(work, "probe.cjs");
writeFileSync(probe, `process.on("exit", () => require("node:fs").writeFileSync(process.env.PROBE_OUT, String(process.moduleLoadList.includes("NativeModule v8"))));\n`);
let sink: WebhookSink;

beforeAll(async () => {
  sink = await startWebhookSink(SECRET);
});
afterAll(async () => {
  await sink.close();
  home.cleanup();
  rmSync(work, { recursive: true, force: true });
});

async function loadsV8(count: number): Promise<boolean> {
  const out = join(work, `loaded-${count}.txt`);
  const env = { ...home.env, NODE_OPTIONS: `--require ${probe}`, PROBE_OUT: out };
  const result = await runCli(["simulate", "paystubs.added", "--to", sink.url, "--count", String(count), "--secret", SECRET], { env, timeoutMs: 30_000 });
  expect(result.stderr).not.toMatch(/error/i);
  expect(result.code).toBe(0);
  return readFileSync(out, "utf8") === "true";
}

describe("runs of deliveries over undici", () => {
  it("keep WebAssembly on V8's baseline compiler past 20 deliveries, and a one-shot simulate does not load node:v8 for it", async () => {
    expect(await loadsV8(21)).toBe(true);
    expect(await loadsV8(1)).toBe(false);
    expect(sink.received).toHaveLength(22);
    expect(sink.received.every((event) => event.verified)).toBe(true);
  });
});
