// A Pinwheel webhook handler that calls back, as real integrations do: on account.added it fetches
// the platform (to learn its supported_jobs); on paystubs.fully_synced it fetches every paystub,
// following next_cursor, and keeps only those whose account_id is the event's.
// Run: PINWHEEL_API_SECRET=... PINWHEEL_API_BASE_URL=http://127.0.0.1:4010 PORT=8080 node examples/callback/server.mjs
// Try: pinwheel-cli mock, then pinwheel-cli webhooks create --base-url http://127.0.0.1:4010 --url http://127.0.0.1:8080/webhooks/pinwheel \
//        --events account.added,paystubs.fully_synced, then pinwheel-cli sandbox connect --base-url http://127.0.0.1:4010
import { createServer } from "node:http";
import { dataResponseSchemas, parseWebhookEvent, PinwheelWebhookError } from "@pinwheel-cli/webhooks";

const secret = process.env.PINWHEEL_API_SECRET;
if (!secret) throw new Error("set PINWHEEL_API_SECRET to your workspace's API secret");
// https://sandbox.getpinwheel.com against Pinwheel; a running `pinwheel-cli mock` offline.
const apiBase = (process.env.PINWHEEL_API_BASE_URL ?? "https://sandbox.getpinwheel.com").replace(/\/+$/, "");

const seen = new Set();
// What this handler fetched, for GET /fetches (a test reads it; your app would store the data instead).
const fetches = [];

async function pinwheel(path, schema) {
  const response = await fetch(`${apiBase}${path}`, {
    headers: { "x-api-secret": secret, "Pinwheel-Version": "2023-11-22" },
    signal: AbortSignal.timeout(5_000),
  });
  const body = await response.json();
  if (!response.ok) throw new Error(`${path}: ${response.status} ${body.error?.code ?? ""} ${body.error?.message ?? ""}`);
  return dataResponseSchemas[schema].parse(body);
}

async function handle(event) {
  const { account_id: accountId } = event.payload;
  if (event.event === "account.added") {
    const { data: platform } = await pinwheel(`/v1/platforms/${event.payload.platform_id}`, "platform");
    const { data: account } = await pinwheel(`/v1/accounts/${accountId}`, "account");
    return {
      platform_id: platform.id,
      platform_name: platform.name,
      supported_jobs: platform.supported_jobs,
      account_platform_id: account.platform_id,
    };
  }
  if (event.event === "paystubs.fully_synced") {
    const paystubs = [];
    let cursor = null;
    do {
      const page = await pinwheel(`/v1/accounts/${accountId}/paystubs${cursor ? `?cursor=${encodeURIComponent(cursor)}` : ""}`, "paystubs");
      paystubs.push(...page.data);
      cursor = page.meta.next_cursor;
    } while (cursor);
    // Never trust an item for another account (API-DATA.md §4.1).
    const own = paystubs.filter((paystub) => paystub.account_id === accountId);
    return { paystubs: paystubs.length, own: own.length, ids: own.map((paystub) => paystub.id) };
  }
  return undefined;
}

function reply(res, status, body) {
  res.writeHead(status, { "content-type": "application/json" }).end(JSON.stringify(body));
}

const server = createServer(async (req, res) => {
  if (req.method === "GET" && req.url === "/fetches") return reply(res, 200, fetches);
  if (req.method !== "POST" || req.url !== "/webhooks/pinwheel") return reply(res, 404, { error: "not found" });
  const chunks = [];
  for await (const chunk of req) chunks.push(chunk);
  let event;
  try {
    event = parseWebhookEvent({ secret, headers: req.headers, rawBody: Buffer.concat(chunks) });
  } catch (error) {
    if (!(error instanceof PinwheelWebhookError)) return reply(res, 500, { error: "internal" });
    return reply(res, error.status, { error: error.reason });
  }
  if (seen.has(event.event_id)) return reply(res, 200, { duplicate: true });
  seen.add(event.event_id);
  // Answer first (Pinwheel waits at most 15 s), then call back.
  reply(res, 200, { received: true });
  handle(event).then(
    (result) => {
      if (result) fetches.push({ event: event.event, account_id: event.payload.account_id, ok: true, ...result });
    },
    (error) => {
      fetches.push({ event: event.event, account_id: event.payload.account_id, ok: false, error: error.message });
      console.error(`${event.event}: ${error.message}`);
    },
  );
});

server.listen(Number(process.env.PORT ?? 8080), "127.0.0.1", () => {
  console.log(`listening on http://127.0.0.1:${server.address().port}/webhooks/pinwheel`);
});
