// A Pinwheel webhook handler in Fastify 5.
// Run: PINWHEEL_API_SECRET=... PORT=8080 node examples/fastify/server.mjs
// Try: pinwheel-cli smoke --to http://127.0.0.1:8080/webhooks/pinwheel --secret "$PINWHEEL_API_SECRET"
import Fastify from "fastify";
import { parseWebhookEvent, PinwheelWebhookError } from "pinwheel-cli";

const secret = process.env.PINWHEEL_API_SECRET;
if (!secret) throw new Error("set PINWHEEL_API_SECRET to your workspace's API secret");

// Pinwheel delivers at least once: the same event_id can arrive again. Use your database in production.
const seen = new Set();
let duplicates = 0;
// Verified deliveries the library could not parse: acknowledged, never refused.
const UNHANDLED = new Set(["unknown_event", "invalid_payload"]);

const app = Fastify();
app.get("/stats", async () => ({ handled: seen.size, duplicates }));

// In its own plugin scope, JSON arrives as a Buffer: the signature covers the exact bytes,
// which Fastify's JSON parser would lose. Routes outside this scope keep parsed JSON.
app.register(async (webhooks) => {
  webhooks.removeContentTypeParser("application/json");
  webhooks.addContentTypeParser("application/json", { parseAs: "buffer" }, (req, body, done) => done(null, body));

  webhooks.post("/webhooks/pinwheel", async (req, reply) => {
    let event;
    try {
      event = parseWebhookEvent({ secret, headers: req.headers, rawBody: req.body });
    } catch (error) {
      if (!(error instanceof PinwheelWebhookError)) throw error;
      // Signed, so it came from Pinwheel, but an event (or a payload) this library does not know yet:
      // acknowledge it, since Pinwheel never retries a 4XX.
      if (UNHANDLED.has(error.reason)) return { received: true, unhandled: error.reason };
      return reply.code(error.status).send({ error: error.reason });
    }

    if (seen.has(event.event_id)) {
      duplicates++;
      return { duplicate: true };
    }
    seen.add(event.event_id);
    // Answer first (Pinwheel waits at most 15 s), then do the work.
    setImmediate(() => handle(event));
    return { received: true };
  });
});

function handle(event) {
  if (event.event === "paystubs.fully_synced") console.log(`all ${event.payload.params.count} paystubs synced`);
  else console.log(`${event.event} ${event.event_id}`);
}

const address = await app.listen({ port: Number(process.env.PORT ?? 8080), host: "127.0.0.1" });
console.log(`listening on ${address}/webhooks/pinwheel`);
