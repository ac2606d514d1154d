// Reference for `listen`: the floor of what issue 18 requires of it. The bare receiver's own loop
// (node:http, the HMAC check, group commit on the main thread in WAL mode with synchronous=FULL,
// every request answered after its commit), doing what listen must and nothing else:
// - listen's schema and INSERT (every stored field, its indexes, the duplicate probe) and its
//   stored headers (credentials redacted), from dist/ (build first), so it cannot drift from what
//   listen stores;
// - listen's payload validation, recorded with the row;
// - listen's JSON line per request on stdout (`listen --json`), written once per commit.
// No inspector, no forwarding, no bounds, no commit worker: what is left between listen and this
// is listen's own machinery, and what is left between this and the bare receiver is the price of
// the requirements themselves.
//
// Usage: node bench/baselines/required-receiver.js --db <file>   (secret from BENCH_SECRET)
// Prints {"type":"ready","url"} as its first stdout line; SIGINT commits what is queued and exits.
import { parseArgs } from "node:util";
import { reply, serveWithGroupCommit } from "./group-commit-server.js";
import { verdictFor } from "./verdict.js";
import { openDatabase } from "../../dist/store/database.js";
import { INSERT_REQUEST_SQL, insertParams } from "../../dist/store/requests.js";
import { validateWebhookEvent } from "../../dist/events/schemas.js";
import { requestJsonLine } from "../../dist/output/requests.js";
import { headerPairs } from "../../dist/receiver/server.js";

const { values } = parseArgs({ options: { db: { type: "string" }, tolerance: { type: "string", default: "300" } } });
if (!values.db) throw new Error("--db <file> is required");
const secret = process.env.BENCH_SECRET ?? "";
const toleranceSeconds = Number(values.tolerance);

const db = openDatabase(values.db);
const insert = db.prepare(INSERT_REQUEST_SQL);
const insertBatch = db.transaction((batch) => {
  for (const item of batch) {
    const inserted = insert.get(insertParams(item.row));
    item.row.id = inserted.id;
    item.row.duplicate = inserted.duplicate === 1;
  }
}).immediate;

const text = (value) => (typeof value === "string" ? value : null);

function parsed(body) {
  try {
    return JSON.parse(body.toString("utf8"));
  } catch {
    return undefined;
  }
}

serveWithGroupCommit({
  receive(request, response, body, now) {
    const verification = verdictFor(secret, toleranceSeconds, request.headers, body, now);
    const json = parsed(body);
    const payload = typeof json?.payload === "object" && json.payload !== null ? json.payload : {};
    const validation = json === undefined ? undefined : validateWebhookEvent(json);
    const row = {
      id: 0,
      receivedAt: new Date(now).toISOString(),
      method: request.method,
      path: request.url,
      headers: headerPairs(request.rawHeaders),
      body,
      bodySize: body.length,
      bodyTruncated: false,
      event: text(json?.event),
      eventId: text(json?.event_id),
      accountId: text(payload.account_id),
      webhookId: text(request.headers["x-pinwheel-webhook-id"]),
      verification,
      verificationDetail: null,
      schemaErrors: validation && !validation.ok ? validation.issues : null,
      rejection: null,
      duplicate: false,
      statusCode: verification === "verified" ? 200 : 401,
      remoteAddress: request.socket.remoteAddress ?? null,
    };
    return { response, row };
  },
  commit: insertBatch,
  answer({ response, row }) {
    const eventId = row.eventId === null ? "null" : JSON.stringify(row.eventId);
    reply(response, row.statusCode, `{"received":${row.statusCode === 200},"id":${row.id},"event_id":${eventId},"duplicate":${row.duplicate}}`);
  },
  committed(batch) {
    let lines = "";
    for (const { row } of batch) lines += `${requestJsonLine(row)}\n`;
    process.stdout.write(lines);
  },
  close: () => db.close(),
});
