import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runCli, tempHome } from "../helpers/cli.js";
import { startWebhookSink, type WebhookSink } from "../helpers/webhook-sink.js";

/**
 * What a run of deliveries past 20 (undici's pool) does to its own process, and a one-shot
 * simulate (node:http) must not: keepWasmOnBaselineCompiler and lowerHelperThreadPriority. Neither
 * can be read back from JavaScript, so a preloaded probe records, as the built CLI exits, whether
 * node:v8 was loaded (only that call loads it: the flag it sets cannot be read) and each thread's
 * nice value (field 19 of /proc/self/task/<id>/stat).
 */
const SECRET = "run-process-tuning-secret";
const work = mkdtempSync(join(tmpdir(), "pinwheel-run-process-tuning-"));
const home = tempHome();
const probe = join(work, "probe.cjs");
writeFileSync(
  probe,
  `process.on("exit", () => {
  const fs = require("node:fs");
  const nice = (tid) => Number(fs.readFileSync("/proc/self/task/" + tid + "/stat", "utf8").split(") ")[1].split(" ")[16]);
  const threads = process.platform === "linux" ? fs.readdirSync("/proc/self/task").map((tid) => ({ main: Number(tid) === process.pid, nice: nice(tid) })) : [];
  fs.writeFileSync(process.env.PROBE_OUT, JSON.stringify({ loadsV8: process.moduleLoadList.includes("NativeModule v8"), threads }));
});\n`,
);

interface ProcessAtExit {
  loadsV8: boolean;
  threads: { main: boolean; nice: number }[];
}

let sink: WebhookSink;
let burst: ProcessAtExit;
let oneShot: ProcessAtExit;

async function simulateAndProbe(count: number): Promise<ProcessAtExit> {
  const out = join(work, `process-${count}.json`);
  const env = { ...home.env, NODE_OPTIONS: `--require ${probe}`, PROBE_OUT: out };
  const result = await runCli(["simulate", "paystubs.added", "--to", sink.url, "--count", String(count), "--secret", SECRET], { env, timeoutMs: 30_000 });
  expect(result.stderr).not.toMatch(/error/i);
  expect(result.code).toBe(0);
  return JSON.parse(readFileSync(out, "utf8")) as ProcessAtExit;
}

beforeAll(async () => {
  sink = await startWebhookSink(SECRET);
  burst = await simulateAndProbe(21);
  oneShot = await simulateAndProbe(1);
}, 60_000);
afterAll(async () => {
  await sink.close();
  home.cleanup();
  rmSync(work, { recursive: true, force: true });
});

describe("a run past 20 deliveries, and a one-shot simulate", () => {
  it("both deliver every event, signed", () => {
    expect(sink.received).toHaveLength(22);
    expect(sink.received.every((event) => event.verified)).toBe(true);
  });

  it("keeps WebAssembly on V8's baseline compiler in a run; a one-shot simulate does not load node:v8 for it", () => {
    expect(burst.loadsV8).toBe(true);
    expect(oneShot.loadsV8).toBe(false);
  });

  it.runIf(process.platform === "linux")("lowers the priority of V8's helper threads in a run and keeps the main thread's; a one-shot simulate lowers none", () => {
    expect(burst.threads.filter((thread) => thread.main)).toEqual([{ main: true, nice: 0 }]);
    // V8 starts four helper threads by default (--v8-pool-size).
    expect(burst.threads.filter((thread) => !thread.main && thread.nice === 10).length).toBeGreaterThanOrEqual(4);
    expect(oneShot.threads.every((thread) => thread.nice === 0)).toBe(true);
  });
});
