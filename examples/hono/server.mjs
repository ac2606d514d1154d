// A Pinwheel webhook handler in Hono (fetch-style; the same code works in a Next.js route handler).
// Run: PINWHEEL_API_SECRET=... PORT=8080 node examples/hono/server.mjs
// Try: pinwheel-cli smoke --to http://127.0.0.1:8080/webhooks/pinwheel --secret "$PINWHEEL_API_SECRET"
import { serve } from "@hono/node-server";
import { Hono } from "hono";
import { parseWebhookEvent, PinwheelWebhookError } from "@pinwheel-cli/webhooks";

const secret = process.env.PINWHEEL_API_SECRET;
if (!secret) throw new Error("set PINWHEEL_API_SECRET to your workspace's API secret");

// Pinwheel delivers at least once: the same event_id can arrive again. Use your database in production.
const seen = new Set();
let duplicates = 0;

const app = new Hono();
app.get("/stats", (c) => c.json({ handled: seen.size, duplicates }));

app.post("/webhooks/pinwheel", async (c) => {
  let event;
  try {
    // The exact bytes, never `await c.req.json()`: the signature covers the raw body.
    // In Next.js: export async function POST(req) { const rawBody = await req.arrayBuffer(); ... req.headers ... }
    event = parseWebhookEvent({ secret, headers: c.req.raw.headers, rawBody: await c.req.arrayBuffer() });
  } catch (error) {
    if (!(error instanceof PinwheelWebhookError)) throw error;
    return c.json({ error: error.reason }, error.status);
  }

  if (seen.has(event.event_id)) {
    duplicates++;
    return c.json({ duplicate: true });
  }
  seen.add(event.event_id);
  // Answer first (Pinwheel waits at most 15 s), then do the work.
  setImmediate(() => handle(event));
  return c.json({ received: true });
});

// Only a bad signature or a body that is not an event is refused: a genuine event this library does
// not know, or whose payload differs from the docs, arrives with known/issues (Pinwheel never retries a 4XX).
function handle(event) {
  if (event.issues.length > 0) console.warn(`${event.event}: ${event.issues.map((i) => `${i.path}: ${i.message}`).join("; ")}`);
  if (!event.known) return console.log(`${event.event} ${event.event_id} (an event this handler does not know yet)`);
  if (event.event === "paystubs.fully_synced") console.log(`${event.payload.params?.count ?? "?"} paystubs in the last batch; all synced`);
  else console.log(`${event.event} ${event.event_id}`);
}

serve({ fetch: app.fetch, port: Number(process.env.PORT ?? 8080), hostname: "127.0.0.1" }, (info) => {
  console.log(`listening on http://127.0.0.1:${info.port}/webhooks/pinwheel`);
});
