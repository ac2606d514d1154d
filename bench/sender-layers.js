// Where simulate's time per event goes: the same load sent through the delivery engine one layer
// at a time, from the bare undici sender up to `pinwheel-cli simulate --count`, each layer adding
// one piece of what simulate does. A diagnostic, not part of `npm run bench`.
//   node bench/sender-layers.js [--rounds 6] [--count 20000]
// Each layer runs in its own process (this file with --layer), rounds interleaved and rotated,
// into one trivial server; the figures are medians. CPU is the sending process's own (main thread
// plus its helper threads) while it sends, per event; "main thread" is the sending thread alone.
import { randomUUID } from "node:crypto";
import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Writable } from "node:stream";
import { parseArgs } from "node:util";
import { CLI, runNode, startServer } from "./lib/children.js";
import { median } from "./lib/stats.js";

const LAYERS = {
  bare: "undici Pool.request, one small unsigned body, answer dumped (the benchmark's baseline)",
  realistic: "+ a fresh fixture body per event, signed, answer read (bare-sender --realistic)",
  sender: "+ the engine's HTTP layer: createSender().send (Agent, timeouts, the attempt's result)",
  deliver: "+ deliver(): the retry loop, the signature made per attempt, the webhook id header",
  recorded: "+ every attempt recorded through stagedAttemptRecorder (the run's own connection)",
  run: "+ DeliveryRun.send, which simulate and replay call (delivery id, output, progress)",
  cli: "pinwheel-cli simulate --count (its own N/s; CPU not measured)",
};

const { values } = parseArgs({
  options: {
    rounds: { type: "string", default: "6" },
    count: { type: "string", default: "20000" },
    layer: { type: "string" },
    url: { type: "string" },
  },
});
const count = Number(values.count);
const concurrency = 64;
const secret = "sender-layers";

if (values.layer) {
  console.log(JSON.stringify(await runLayer(values.layer, values.url)));
  process.exit(0);
}

async function runLayer(layer, url) {
  const { Pool } = await import("undici");
  const { buildEvent } = await import("../dist/events/build.js");
  const { envelopeTemplate } = await import("../dist/events/template.js");
  const { signedHeaders } = await import("../dist/signing.js");
  const { createSender } = await import("../dist/delivery/sender.js");
  const { deliver } = await import("../dist/delivery/deliver.js");
  const { stagedAttemptRecorder } = await import("../dist/delivery/recorder.js");
  const { DeliveryRun } = await import("../dist/cli/delivery-run.js");
  const { createOutput } = await import("../dist/output/index.js");
  const { openDatabase } = await import("../dist/store/database.js");

  const target = new URL(url);
  const render = envelopeTemplate(buildEvent("paystubs.added"));
  const freshBody = () => Buffer.from(render(randomUUID(), randomUUID()));
  const dbPath = join(mkdtempSync(join(tmpdir(), "pinwheel-layers-")), "events.db");
  openDatabase(dbPath).close();
  const context = { source: "simulate", event: "paystubs.added", eventId: null, webhookId: "layers" };

  const pool = new Pool(target.origin, { connections: concurrency });
  const sender = createSender({ timeoutMs: 15_000, connections: concurrency });
  const recordingDb = layer === "recorded" ? openDatabase(dbPath) : undefined;
  const recorder = recordingDb && stagedAttemptRecorder(recordingDb);
  const sink = new Writable({ write: (_chunk, _encoding, done) => done() });
  const out = createOutput({}, { stdout: sink, stderr: sink }, { color: false, stdoutIsTty: false, stderrIsTty: false, stdinIsTty: false, ci: true, debug: false });
  const run =
    layer === "run"
      ? DeliveryRun.open(out, { source: "simulate", dbPath, url, secret, timeoutMs: 15_000, concurrency, planned: count })
      : undefined;
  const constantBody = JSON.stringify({ event: "paystubs.added", event_id: randomUUID(), payload: { n: 1 } });

  const sendOne = {
    async bare() {
      const response = await pool.request({ path: target.pathname, method: "POST", headers: { "content-type": "application/json" }, body: constantBody });
      await response.body.dump();
    },
    async realistic() {
      const body = freshBody();
      const response = await pool.request({ path: target.pathname, method: "POST", headers: signedHeaders(secret, body), body });
      await response.body.text();
    },
    async sender() {
      const body = freshBody();
      await sender.send(url, body, signedHeaders(secret, body));
    },
    async deliver() {
      await deliver(sender, { url, body: freshBody(), secret, webhookId: "layers" });
    },
    async recorded() {
      const deliveryId = randomUUID();
      await deliver(sender, { url, body: freshBody(), secret, webhookId: "layers" }, { onAttempt: (attempt) => recorder.record({ ...context, deliveryId }, attempt) });
    },
    async run() {
      const eventId = randomUUID();
      await run.send({ event: "paystubs.added", eventId, body: Buffer.from(render(eventId, randomUUID())), webhookId: "layers" });
    },
  }[layer];
  if (!sendOne) throw new Error(`unknown layer ${layer}`);

  let next = 0;
  const mainBefore = mainThreadCpuMicros();
  const cpuBefore = process.cpuUsage();
  const started = performance.now();
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < count) {
        next++;
        await sendOne();
      }
    }),
  );
  // Recording is part of the work: the figure includes the last rows' commit and the connection's
  // close (its checkpoint), as a run's close does.
  await recorder?.close();
  recordingDb?.close();
  await run?.close();
  const seconds = (performance.now() - started) / 1000;
  const cpu = process.cpuUsage(cpuBefore);
  const mainCpu = mainThreadCpuMicros() - mainBefore;
  await Promise.all([pool.close(), sender.close()]);
  return { perSecond: count / seconds, cpuMicrosPerEvent: (cpu.user + cpu.system) / count, mainMicrosPerEvent: mainCpu / count };
}

/** The sending thread's own CPU (user + system, in µs) from /proc: what sets the pace while the other threads have a core to share. */
function mainThreadCpuMicros() {
  const stat = readFileSync("/proc/thread-self/stat", "utf8");
  const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  // utime and stime, fields 14 and 15 of stat(5), in clock ticks (100 a second on Linux).
  return (Number(fields[11]) + Number(fields[12])) * 10_000;
}

const SUMMARY = /\((\d+)\/s\): (\d+) 2xx/;
const dir = mkdtempSync(join(tmpdir(), "pinwheel-sender-layers-"));
const env = { ...process.env, PINWHEEL_API_SECRET: secret, PINWHEEL_HOME: join(dir, "home") };
const trivial = await startServer(["bench/baselines/trivial-server.js"], { env, stdoutFile: join(dir, "trivial.out") });
const layers = Object.keys(LAYERS);
const results = Object.fromEntries(layers.map((layer) => [layer, { perSecond: [], cpu: [], main: [] }]));
try {
  for (let round = 0; round < Number(values.rounds); round++) {
    for (let i = 0; i < layers.length; i++) {
      const layer = layers[(round + i) % layers.length];
      if (layer === "cli") {
        const args = [CLI, "simulate", "paystubs.added", "--to", trivial.url, "--count", String(count), "--concurrency", String(concurrency)];
        const result = await runNode(args, { env, timeoutMs: 300_000 });
        const match = SUMMARY.exec(result.stdout);
        if (!match) throw new Error(`simulate printed no summary: ${result.stderr.trim()}`);
        results.cli.perSecond.push(Number(match[1]));
      } else {
        const result = await runNode(["bench/sender-layers.js", "--layer", layer, "--url", trivial.url, "--count", String(count)], { env, timeoutMs: 300_000 });
        if (result.code !== 0) throw new Error(`layer ${layer} failed: ${result.stderr.trim()}`);
        const { perSecond, cpuMicrosPerEvent, mainMicrosPerEvent } = JSON.parse(result.stdout);
        results[layer].perSecond.push(perSecond);
        results[layer].cpu.push(cpuMicrosPerEvent);
        results[layer].main.push(mainMicrosPerEvent);
      }
    }
    process.stderr.write(`round ${round + 1} of ${values.rounds} done\n`);
  }
} finally {
  await trivial.stop();
}

const bare = median(results.bare.perSecond);
console.log(`${count} events per run, ${concurrency} in flight, median of ${values.rounds} rounds\n`);
console.log(`${"layer".padEnd(10)} ${"events/s".padStart(9)} ${"x bare".padStart(7)} ${"CPU µs/event".padStart(13)} ${"main thread".padStart(12)}  what it adds`);
for (const layer of layers) {
  const perSecond = median(results[layer].perSecond);
  const cpu = results[layer].cpu.length ? median(results[layer].cpu).toFixed(0) : "";
  const main = results[layer].main.length ? median(results[layer].main).toFixed(0) : "";
  console.log(`${layer.padEnd(10)} ${Math.round(perSecond).toString().padStart(9)} ${(perSecond / bare).toFixed(2).padStart(7)} ${cpu.padStart(13)} ${main.padStart(12)}  ${LAYERS[layer]}`);
}
