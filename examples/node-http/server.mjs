// A Pinwheel webhook handler on Node's own http module.
// Run: PINWHEEL_API_SECRET=... PORT=8080 node examples/node-http/server.mjs
// Try: pinwheel-cli smoke --to http://127.0.0.1:8080/webhooks/pinwheel --secret "$PINWHEEL_API_SECRET"
import { createServer } from "node:http";
import { parseWebhookEvent, PinwheelWebhookError } from "@pinwheel-cli/webhooks";

const secret = process.env.PINWHEEL_API_SECRET;
if (!secret) throw new Error("set PINWHEEL_API_SECRET to your workspace's API secret");

// Pinwheel delivers at least once: the same event_id can arrive again. Use your database in production.
const seen = new Set();
let duplicates = 0;

function reply(res, status, body) {
  res.writeHead(status, { "content-type": "application/json" }).end(JSON.stringify(body));
}

const server = createServer(async (req, res) => {
  if (req.method === "GET" && req.url === "/stats") return reply(res, 200, { handled: seen.size, duplicates });
  if (req.method !== "POST" || req.url !== "/webhooks/pinwheel") return reply(res, 404, { error: "not found" });

  // The signature covers the exact bytes: read them all, parse nothing before verifying.
  const chunks = [];
  for await (const chunk of req) chunks.push(chunk);
  let event;
  try {
    event = parseWebhookEvent({ secret, headers: req.headers, rawBody: Buffer.concat(chunks) });
  } catch (error) {
    if (!(error instanceof PinwheelWebhookError)) return reply(res, 500, { error: "internal" });
    return reply(res, error.status, { error: error.reason });
  }

  if (seen.has(event.event_id)) {
    duplicates++;
    return reply(res, 200, { duplicate: true });
  }
  seen.add(event.event_id);
  // Answer first (Pinwheel waits at most 15 s), then do the work.
  reply(res, 200, { received: true });
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

server.listen(Number(process.env.PORT ?? 8080), "127.0.0.1", () => {
  console.log(`listening on http://127.0.0.1:${server.address().port}/webhooks/pinwheel`);
});
