import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runCli, tempHome } from "../helpers/cli.js";
import { startWebhookSink, type WebhookSink } from "../helpers/webhook-sink.js";

/**
 * lowerHelperThreadPriority renices every thread but the main one. A preloaded probe reads each
 * thread's nice value from /proc (field 19 of its stat) as the built CLI exits: a run past 20
 * deliveries must have lowered V8's helper threads and left the main thread alone, a one-shot
 * simulate must change nothing.
 */
const SECRET = "background-threads-secret";
const work = mkdtempSync(join(tmpdir(), "pinwheel-background-threads-"));
const home = tempHome();
const probe = join(work, "probe.cjs");
writeFileSync(
  probe,
  `process.on("exit", () => {
  const fs = require("node:fs");
  const nice = (tid) => Number(fs.readFileSync("/proc/self/task/" + tid + "/stat", "utf8").split(") ")[1].split(" ")[16]);
  const threads = fs.readdirSync("/proc/self/task").map((tid) => ({ main: Number(tid) === process.pid, nice: nice(tid) }));
  fs.writeFileSync(process.env.PROBE_OUT, JSON.stringify(threads));
});\n`,
);
let sink: WebhookSink;

beforeAll(async () => {
  sink = await startWebhookSink(SECRET);
});
afterAll(async () => {
  await sink.close();
  home.cleanup();
  rmSync(work, { recursive: true, force: true });
});

async function threadsAtExit(count: number): Promise<{ main: boolean; nice: number }[]> {
  const out = join(work, `threads-${count}.json`);
  const env = { ...home.env, NODE_OPTIONS: `--require ${probe}`, PROBE_OUT: out };
  const result = await runCli(["simulate", "paystubs.added", "--to", sink.url, "--count", String(count), "--secret", SECRET], { env, timeoutMs: 30_000 });
  expect(result.stderr).not.toMatch(/error/i);
  expect(result.code).toBe(0);
  return JSON.parse(readFileSync(out, "utf8")) as { main: boolean; nice: number }[];
}

describe.runIf(process.platform === "linux")("runs of deliveries over undici", () => {
  it("lower the priority of V8's helper threads past 20 deliveries and keep the main thread's; a one-shot simulate lowers none", async () => {
    const burst = await threadsAtExit(21);
    expect(burst.filter((thread) => thread.main)).toEqual([{ main: true, nice: 0 }]);
    // V8 starts four helper threads by default (--v8-pool-size).
    expect(burst.filter((thread) => !thread.main && thread.nice === 10).length).toBeGreaterThanOrEqual(4);

    const oneShot = await threadsAtExit(1);
    expect(oneShot.every((thread) => thread.nice === 0)).toBe(true);
    expect(sink.received).toHaveLength(22);
    expect(sink.received.every((event) => event.verified)).toBe(true);
  });
});
