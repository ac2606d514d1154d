// Baseline for simulate/replay throughput: undici Pool.request with keep-alive, nothing else.
// Usage: node bench/bare-sender.js <url> <count> <concurrency>  -> prints {"count","seconds","perSecond"}
import { Pool } from "undici";

const [url, countText = "10000", concurrencyText = "64"] = process.argv.slice(2);
const count = Number(countText);
const concurrency = Number(concurrencyText);
const target = new URL(url);
const pool = new Pool(target.origin, { connections: concurrency });
const body = JSON.stringify({ event: "paystubs.added", event_id: "00000000-0000-4000-8000-000000000000", payload: { n: 1 } });

let next = 0;
const started = performance.now();
await Promise.all(
  Array.from({ length: concurrency }, async () => {
    while (next < count) {
      next++;
      const response = await pool.request({ path: target.pathname, method: "POST", headers: { "content-type": "application/json" }, body });
      await response.body.dump();
    }
  }),
);
const seconds = (performance.now() - started) / 1000;
await pool.close();
console.log(JSON.stringify({ count, seconds, perSecond: count / seconds }));
