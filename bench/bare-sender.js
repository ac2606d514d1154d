// Baseline for simulate/replay throughput: undici Pool.request with keep-alive, nothing else.
// Usage: node bench/bare-sender.js <url> <count> <concurrency> [--realistic]
//   -> prints {"count","seconds","perSecond"}
// --realistic (a reference, not the baseline) does the work every simulated event needs on top:
// a fresh event body from the project's fixture and template, an HMAC signature over it, and
// the answer read instead of discarded. It shows how much of simulate's gap is that work and
// how much is simulate's own bookkeeping (recording attempts, retries, progress).
import { randomUUID } from "node:crypto";
import { Pool } from "undici";

const args = process.argv.slice(2);
const realistic = args.includes("--realistic");
const [url, countText = "10000", concurrencyText = "64"] = args.filter((arg) => !arg.startsWith("--"));
const count = Number(countText);
const concurrency = Number(concurrencyText);
const target = new URL(url);
const pool = new Pool(target.origin, { connections: concurrency });
const body = JSON.stringify({ event: "paystubs.added", event_id: "00000000-0000-4000-8000-000000000000", payload: { n: 1 } });
// Only --realistic loads the project's modules: the baseline's start-up is undici's and its own
// (loading them regardless made it about 30 ms slower to start, in the senders' favour).
const { render, signedHeaders } = realistic ? await realisticParts() : {};
const secret = process.env.PINWHEEL_API_SECRET ?? "bench";

let next = 0;
const started = performance.now();
await Promise.all(
  Array.from({ length: concurrency }, async () => {
    while (next < count) {
      next++;
      if (realistic) {
        const event = Buffer.from(render(randomUUID(), randomUUID()));
        const response = await pool.request({ path: target.pathname, method: "POST", headers: signedHeaders(secret, event), body: event });
        await response.body.text();
      } else {
        const response = await pool.request({ path: target.pathname, method: "POST", headers: { "content-type": "application/json" }, body });
        await response.body.dump();
      }
    }
  }),
);
const seconds = (performance.now() - started) / 1000;
await pool.close();
console.log(JSON.stringify({ count, seconds, perSecond: count / seconds }));

async function realisticParts() {
  const [{ buildEvent }, { envelopeTemplate }, { signedHeaders }] = await Promise.all([
    import("../dist/events/build.js"),
    import("../dist/events/template.js"),
    import("../dist/signing.js"),
  ]);
  return { render: envelopeTemplate(buildEvent("paystubs.added")), signedHeaders };
}
