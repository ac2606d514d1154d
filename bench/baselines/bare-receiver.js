// Baseline for `listen`: the leanest honest durable webhook receiver. node:http, Pinwheel's v2
// HMAC-SHA256 check over the raw body (as src/signing.ts), the envelope parsed for event and
// event_id, and better-sqlite3 group commit in WAL mode with synchronous=FULL: every request is
// answered only after the transaction holding its row has committed. One index, on event_id
// (the idempotency key any real handler looks up). SQLite's default auto-checkpoint is kept.
//
// Usage: node bench/baselines/bare-receiver.js --db <file>   (secret from BENCH_SECRET)
// Prints {"type":"ready","url"} as its first stdout line; SIGINT commits what is queued and exits.
import { createServer } from "node:http";
import { parseArgs } from "node:util";
import { verdictFor } from "./verdict.js";
import Database from "better-sqlite3";

const { values } = parseArgs({ options: { db: { type: "string" }, tolerance: { type: "string", default: "300" } } });
if (!values.db) throw new Error("--db <file> is required");
const secret = process.env.BENCH_SECRET ?? "";
const toleranceSeconds = Number(values.tolerance);

const db = new Database(values.db);
db.pragma("journal_mode = WAL");
db.pragma("synchronous = FULL");
db.exec(`
  CREATE TABLE IF NOT EXISTS requests (
    id INTEGER PRIMARY KEY,
    received_at TEXT NOT NULL,
    headers TEXT NOT NULL,
    body BLOB NOT NULL,
    event TEXT,
    event_id TEXT,
    verdict TEXT NOT NULL,
    status INTEGER NOT NULL
  );
  CREATE INDEX IF NOT EXISTS requests_event_id ON requests (event_id);
`);
const insert = db.prepare(
  "INSERT INTO requests (received_at, headers, body, event, event_id, verdict, status) VALUES (?, ?, ?, ?, ?, ?, ?)",
);
const insertBatch = db.transaction((batch) => {
  for (const item of batch) {
    item.id = insert.run(item.receivedAt, item.headers, item.body, item.event, item.eventId, item.verdict, item.status).lastInsertRowid;
  }
}).immediate;


function envelope(body) {
  try {
    const json = JSON.parse(body.toString("utf8"));
    return { event: typeof json?.event === "string" ? json.event : null, eventId: typeof json?.event_id === "string" ? json.event_id : null };
  } catch {
    return { event: null, eventId: null };
  }
}

let queue = [];
let scheduled = false;

function answer(response, status, text) {
  response.writeHead(status, { "content-type": "application/json", "content-length": Buffer.byteLength(text) });
  response.end(text);
}

function commit() {
  scheduled = false;
  const batch = queue;
  queue = [];
  if (batch.length === 0) return;
  try {
    insertBatch(batch);
  } catch {
    for (const item of batch) answer(item.response, 503, '{"error":"not_stored"}');
    return;
  }
  for (const item of batch) {
    answer(item.response, item.status, item.status === 200 ? `{"received":true,"id":${item.id}}` : `{"error":"${item.verdict}","id":${item.id}}`);
  }
}

const server = createServer((request, response) => {
  const chunks = [];
  request.on("data", (chunk) => chunks.push(chunk));
  request.on("end", () => {
    const now = Date.now();
    const body = chunks.length === 1 ? chunks[0] : Buffer.concat(chunks);
    const verdict = verdictFor(secret, toleranceSeconds, request.headers, body, now);
    const { event, eventId } = envelope(body);
    queue.push({
      response,
      receivedAt: new Date(now).toISOString(),
      headers: JSON.stringify(request.headers),
      body,
      event,
      eventId,
      verdict,
      status: verdict === "verified" ? 200 : 401,
      id: 0,
    });
    if (!scheduled) {
      scheduled = true;
      setImmediate(commit);
    }
  });
});
server.keepAliveTimeout = 30_000;
server.listen(0, "127.0.0.1", () => {
  process.stdout.write(`${JSON.stringify({ type: "ready", url: `http://127.0.0.1:${server.address().port}/` })}\n`);
});

const stop = () => {
  server.close(() => {
    commit();
    db.close();
    process.exit(0);
  });
  server.closeIdleConnections();
};
process.on("SIGINT", stop);
process.on("SIGTERM", stop);
