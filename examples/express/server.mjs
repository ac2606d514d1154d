// A Pinwheel webhook handler in Express 5.
// Run: PINWHEEL_API_SECRET=... PORT=8080 node examples/express/server.mjs
// Try: pinwheel-cli smoke --to http://127.0.0.1:8080/webhooks/pinwheel --secret "$PINWHEEL_API_SECRET"
import express from "express";
import { parseWebhookEvent, PinwheelWebhookError } from "@pinwheel-cli/webhooks";

const secret = process.env.PINWHEEL_API_SECRET;
if (!secret) throw new Error("set PINWHEEL_API_SECRET to your workspace's API secret");

// Pinwheel delivers at least once: the same event_id can arrive again. Use your database in production.
const seen = new Set();
let duplicates = 0;

const app = express();
app.get("/stats", (req, res) => res.json({ handled: seen.size, duplicates }));

// express.raw, not express.json: the signature covers the exact bytes, which parsing would lose.
// Register it on this route only (or before any app-wide express.json()). Its default limit,
// 100 kB, would answer a larger genuine event 413, which Pinwheel does not retry.
app.post("/webhooks/pinwheel", express.raw({ type: "application/json", limit: "5mb" }), (req, res) => {
  let event;
  try {
    event = parseWebhookEvent({ secret, headers: req.headers, rawBody: req.body });
  } catch (error) {
    if (!(error instanceof PinwheelWebhookError)) throw error;
    return res.status(error.status).json({ error: error.reason });
  }

  if (seen.has(event.event_id)) {
    duplicates++;
    return res.json({ duplicate: true });
  }
  seen.add(event.event_id);
  // Answer first (Pinwheel waits at most 15 s), then do the work.
  res.json({ received: true });
  setImmediate(() => handle(event));
});

// Only a bad signature or a body that is not an event is refused: a genuine event this library does
// not know, or whose payload differs from the docs, arrives with known/issues (Pinwheel never retries a 4XX).
function handle(event) {
  if (event.issues.length > 0) console.warn(`${event.event}: ${event.issues.map((i) => `${i.path}: ${i.message}`).join("; ")}`);
  if (!event.known) return console.log(`${event.event} ${event.event_id} (an event this handler does not know yet)`);
  if (event.event === "paystubs.fully_synced") console.log(`${event.payload.params?.count ?? "?"} paystubs in the last batch; all synced`);
  else console.log(`${event.event} ${event.event_id}`);
}

const server = app.listen(Number(process.env.PORT ?? 8080), "127.0.0.1", () => {
  console.log(`listening on http://127.0.0.1:${server.address().port}/webhooks/pinwheel`);
});
