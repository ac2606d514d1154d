// A Pinwheel webhook handler in Fastify 5.
// Run: PINWHEEL_API_SECRET=... PORT=8080 node examples/fastify/server.mjs
// Try: pinwheel-cli smoke --to http://127.0.0.1:8080/webhooks/pinwheel --secret "$PINWHEEL_API_SECRET"
import Fastify from "fastify";
import { parseWebhookEvent, PinwheelWebhookError } from "@pinwheel-cli/webhooks";

const secret = process.env.PINWHEEL_API_SECRET;
if (!secret) throw new Error("set PINWHEEL_API_SECRET to your workspace's API secret");

// Pinwheel delivers at least once: the same event_id can arrive again. Use your database in production.
const seen = new Set();
let duplicates = 0;

const app = Fastify();
app.get("/stats", async () => ({ handled: seen.size, duplicates }));

// In its own plugin scope, JSON arrives as a Buffer: the signature covers the exact bytes,
// which Fastify's JSON parser would lose. Routes outside this scope keep parsed JSON.
app.register(async (webhooks) => {
  webhooks.removeContentTypeParser("application/json");
  // bodyLimit: Fastify's default (1 MiB) would answer a larger genuine event 413, which Pinwheel does not retry.
  webhooks.addContentTypeParser("application/json", { parseAs: "buffer", bodyLimit: 5 * 1024 * 1024 }, (req, body, done) => done(null, body));

  webhooks.post("/webhooks/pinwheel", async (req, reply) => {
    let event;
    try {
      event = parseWebhookEvent({ secret, headers: req.headers, rawBody: req.body });
    } catch (error) {
      if (!(error instanceof PinwheelWebhookError)) throw error;
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

// Only a bad signature or a body that is not an event is refused: a genuine event this library does
// not know, or whose payload differs from the docs, arrives with known/issues (Pinwheel never retries a 4XX).
function handle(event) {
  if (event.issues.length > 0) console.warn(`${event.event}: ${event.issues.map((i) => `${i.path}: ${i.message}`).join("; ")}`);
  if (!event.known) return console.log(`${event.event} ${event.event_id} (an event this handler does not know yet)`);
  if (event.event === "paystubs.fully_synced") console.log(`${event.payload.params?.count ?? "?"} paystubs in the last batch; all synced`);
  else console.log(`${event.event} ${event.event_id}`);
}

const address = await app.listen({ port: Number(process.env.PORT ?? 8080), host: "127.0.0.1" });
console.log(`listening on ${address}/webhooks/pinwheel`);
