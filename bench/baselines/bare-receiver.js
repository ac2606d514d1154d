// Baseline for `listen`: the leanest honest durable webhook receiver. node:http, Pinwheel's v2
// HMAC-SHA256 check over the raw body (as src/signing.ts), the envelope parsed for event and
// event_id, and better-sqlite3 group commit in WAL mode with synchronous=FULL: every request is
// answered only after the transaction holding its row has committed. One index, on event_id
// (the idempotency key any real handler looks up). SQLite's default auto-checkpoint is kept.
//
// Usage: node bench/baselines/bare-receiver.js --db <file>   (secret from BENCH_SECRET)
// Prints {"type":"ready","url"} as its first stdout line; SIGINT commits what is queued and exits.
import { parseArgs } from "node:util";
import { reply, serveWithGroupCommit } from "./group-commit-server.js";
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

serveWithGroupCommit({
  receive(request, response, body, now) {
    const verdict = verdictFor(secret, toleranceSeconds, request.headers, body, now);
    const { event, eventId } = envelope(body);
    return {
      response,
      receivedAt: new Date(now).toISOString(),
      headers: JSON.stringify(request.headers),
      body,
      event,
      eventId,
      verdict,
      status: verdict === "verified" ? 200 : 401,
      id: 0,
    };
  },
  commit: insertBatch,
  answer(item) {
    reply(item.response, item.status, item.status === 200 ? `{"received":true,"id":${item.id}}` : `{"error":"${item.verdict}","id":${item.id}}`);
  },
  close: () => db.close(),
});
