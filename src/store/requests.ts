import type { Statement } from "better-sqlite3";
import type { Db } from "./database.js";
import { defined } from "../invariant.js";
import { hasTable, STORE_INFO_TABLE } from "./migrations.js";

export type HeaderPairs = [name: string, value: string][];

export interface SchemaIssueRow {
  path: string;
  message: string;
}

/** What the receiver knows about a request before it is stored. */
export interface NewRequest {
  receivedAt: string;
  method: string;
  path: string;
  headers: HeaderPairs;
  body: Buffer;
  bodySize: number;
  bodyTruncated: boolean;
  event: string | null;
  eventId: string | null;
  accountId: string | null;
  webhookId: string | null;
  /** "verified", "skipped" (--skip-verify), "not_checked" (rejected before verification) or a failure reason. */
  verification: string;
  verificationDetail: string | null;
  schemaErrors: SchemaIssueRow[] | null;
  /** Why a request was refused with 400, 405 or 413. */
  rejection: string | null;
  statusCode: number;
  remoteAddress: string | null;
}

export interface StoredRequest extends NewRequest {
  id: number;
  duplicate: boolean;
}

/**
 * A stored request as a list shows it: everything but its headers and body. A page of 50 rows
 * whose bodies are near 1 MiB each would otherwise read 50 MiB to show none of it.
 */
export type ListedRequest = Omit<StoredRequest, "headers" | "body">;

/**
 * A request whose signature was not checked and found good: a failed verdict, one refused before
 * verification (not_checked) or one received under --skip-verify, any of which anyone who reached
 * the port could have sent. Re-signing it for a replay would hand the app that body with a valid
 * signature, so a replay re-signs it only when asked.
 */
export function notVerified(request: Pick<StoredRequest, "verification">): boolean {
  return request.verification !== "verified";
}

/**
 * A request whose signature verified but which listen rejected all the same (a 400: the body is
 * not a Pinwheel event's JSON envelope). Re-signing it for a replay would present it to the app as
 * a genuine event, which it is not, so a replay re-signs it only when asked.
 */
export function rejectedAfterVerification(request: Pick<StoredRequest, "verification" | "rejection">): boolean {
  return request.verification === "verified" && request.rejection !== null;
}

export interface RequestFilter {
  event?: string;
  accountId?: string;
  /** "verified", "failed" (anything not verified), or one exact verification value. */
  verdict?: string;
  /** ISO 8601; rows received at or after it. */
  since?: string;
  limit?: number;
  /** Oldest first instead of newest first. */
  ascending?: boolean;
  /** Rows with a larger id only (oldest-first paging). */
  afterId?: number;
  /** Only requests whose body is stored whole (not cut at 1 MiB): what can be sent again. */
  storedWhole?: boolean;
  /** Only requests that passed verification (what a re-signed replay sends unasked; see notVerified). */
  verifiedOnly?: boolean;
  /** Leave out requests listen rejected after their signature verified (see rejectedAfterVerification). */
  withoutRejected?: boolean;
  /** Rows with a smaller id only (newest-first paging). */
  beforeId?: number;
  /**
   * Case-insensitive (ASCII) substring of the event, event_id, account_id, path, verdict words or
   * body. No index helps, so only the first `textScanLimit` rows that the other filters select,
   * in the list's order, are searched; `textScanWindow` says where that stopped.
   */
  text?: string;
  /** How many rows a `text` search looks at (default TEXT_SCAN_LIMIT). */
  textScanLimit?: number;
}

/** Rows a text search reads at most: a bounded scan stays responsive on a store of 100,000 requests. */
export const TEXT_SCAN_LIMIT = 5_000;

/** Where a bounded text search stopped, so the next search can go on below it. */
export interface TextScanWindow {
  /** Rows the search looked at (fewer than the limit: it reached the end). */
  scanned: number;
  /** The id of the last row it looked at, in the list's order; null when it looked at none. */
  lastId: number | null;
}

interface RequestRow {
  id: number;
  received_at: string;
  method: string;
  path: string;
  headers: string;
  body: Buffer;
  body_size: number;
  body_truncated: number;
  event: string | null;
  event_id: string | null;
  account_id: string | null;
  webhook_id: string | null;
  verification: string;
  verification_detail: string | null;
  schema_errors: string | null;
  rejection: string | null;
  duplicate: number;
  status_code: number;
  remote_address: string | null;
}

/** The columns of a ListedRequest. */
const LISTED_COLUMNS =
  "id, received_at, method, path, body_size, body_truncated, event, event_id, account_id, webhook_id, " +
  "verification, verification_detail, schema_errors, rejection, duplicate, status_code, remote_address";

function fromListedRow(row: Omit<RequestRow, "headers" | "body">): ListedRequest {
  return {
    id: row.id,
    receivedAt: row.received_at,
    method: row.method,
    path: row.path,
    bodySize: row.body_size,
    bodyTruncated: row.body_truncated === 1,
    event: row.event,
    eventId: row.event_id,
    accountId: row.account_id,
    webhookId: row.webhook_id,
    verification: row.verification,
    verificationDetail: row.verification_detail,
    schemaErrors: row.schema_errors === null ? null : (JSON.parse(row.schema_errors) as SchemaIssueRow[]),
    rejection: row.rejection,
    duplicate: row.duplicate === 1,
    statusCode: row.status_code,
    remoteAddress: row.remote_address,
  };
}

function fromRow(row: RequestRow): StoredRequest {
  return { ...fromListedRow(row), headers: JSON.parse(row.headers) as HeaderPairs, body: row.body };
}

/**
 * What replaying a stored request needs of it: what to send, its event and webhook id for the
 * attempt log, its verdict. `headers` may be left out where `webhookId` stands for the one header
 * a re-signed replay reads (see listReplayable).
 */
export type ReplayableRequest = Pick<StoredRequest, "id" | "event" | "eventId" | "body" | "verification" | "rejection" | "webhookId"> & {
  headers?: HeaderPairs;
};

export interface WholeCounts {
  rows: number;
  /** Rows whose body is stored whole (not cut at 1 MiB). */
  whole: number;
  /** Rows stored whole that passed verification (not --skip-verify's: see notVerified). */
  wholeVerified: number;
  /** Of those, rows listen rejected all the same (see rejectedAfterVerification). */
  wholeVerifiedRejected: number;
}

export interface RequestStore {
  /** Inserts one request (the receiver runs the same statement, INSERT_REQUEST_SQL, in its commit worker). */
  insert(request: NewRequest): StoredRequest;
  /** Rows without their headers and body (see ListedRequest): `find` reads one whole. */
  list(filter?: RequestFilter): ListedRequest[];
  count(filter?: RequestFilter): number;
  /** Up to `limit` distinct stored account_ids that begin with `prefix` (tables show the first 8 characters of one). */
  accountIdsStartingWith(prefix: string, limit: number): string[];
  /**
   * How many rows a filter selects, how many of those are stored whole, how many of those passed
   * verification, and how many of those listen rejected all the same: one scan.
   */
  countWhole(filter: RequestFilter): WholeCounts;
  /**
   * list() with only the columns a replay sends: reading a page of rows costs about half as much.
   * Headers are read when `withHeaders` asks (replay --as-recorded), or when webhook_id cannot
   * stand for the x-pinwheel-webhook-id header: none was recorded, or it came more than once
   * (the column then joins the values, and a replay sends the first).
   */
  listReplayable(filter: RequestFilter, withHeaders?: boolean): ReplayableRequest[];
  /**
   * By row id (digits) or by event_id: the newest request carrying it, or with `verifiedFirst` the
   * newest verified one when there is one (a refused replay of an event is stored under its event_id too).
   */
  find(reference: string, verifiedFirst?: boolean): StoredRequest | undefined;
  /** How many stored requests carry this event_id (retries, duplicates and replays of one event share it). */
  countWithEventId(eventId: string): number;
  /** The rows a `text` search in `list(filter)` looks at: how many, and where it stopped. */
  textScanWindow(filter: RequestFilter): TextScanWindow;
  /** The largest id `events prune` deleted (0 if none): it grows with each prune that deletes a row. */
  deletedUpTo(): number;
}

/**
 * The condition of the partial index on verification (migration 5): verified rows, nearly all of
 * them, are left out of it, so most inserts write one index fewer. A query must repeat it word
 * for word for SQLite to use the index.
 */
export const UNVERIFIED_CONDITION = "verification <> 'verified'";

/** A row id below which no row was received at or after an ISO time (past the last row when none was). */
type FirstIdSince = (since: string) => number;

function whereClause(filter: RequestFilter, firstIdSince: FirstIdSince): { sql: string; params: unknown[] } {
  const clauses: string[] = [];
  const params: unknown[] = [];
  if (filter.event) {
    clauses.push("event = ?");
    params.push(filter.event);
  }
  if (filter.accountId) {
    clauses.push("account_id = ?");
    params.push(filter.accountId);
  }
  if (filter.verdict === "failed") {
    // The partial index stays unused here (SQLite cannot tell NOT IN implies its condition), as
    // wanted: failures are a few percent of the rows, so walking the table in id order finds a
    // page of them sooner than sorting every failure (and every skipped row) the index holds.
    clauses.push("verification NOT IN ('verified', 'skipped')");
  } else if (filter.verdict === "verified") {
    clauses.push("verification = 'verified'");
  } else if (filter.verdict) {
    // Repeating the partial index's own condition is what lets SQLite use it for a bound value.
    clauses.push(`verification = ? AND ${UNVERIFIED_CONDITION}`);
    params.push(filter.verdict);
  }
  if (filter.since) {
    // The id range is what an index can use (every index ends in id); received_at then settles
    // the rows at its edge.
    clauses.push("received_at >= ? AND id >= ?");
    params.push(filter.since, firstIdSince(filter.since));
  }
  if (filter.storedWhole) clauses.push("body_truncated = 0");
  // Unary + keeps SQLite off any index here: nearly every row passes, and walking the table in id
  // order lets a page stop at its limit instead of sorting every later row.
  if (filter.verifiedOnly) clauses.push("+verification = 'verified'");
  if (filter.withoutRejected) clauses.push("(+verification <> 'verified' OR rejection IS NULL)");
  if (filter.afterId !== undefined) {
    clauses.push("id > ?");
    params.push(filter.afterId);
  }
  if (filter.beforeId !== undefined) {
    clauses.push("id < ?");
    params.push(filter.beforeId);
  }
  return { sql: clauses.length ? `WHERE ${clauses.join(" AND ")}` : "", params };
}

/**
 * How far out of order received_at may run against id and still be found: rows are committed in
 * the order they were received, but a second writer on the same file, or a refused request
 * stored beside a batch, can land a moment out of step.
 */
const RECEIVED_OUT_OF_ORDER_MS = 60_000;

/**
 * A row id below which nothing was received at or after `since`, by binary search over ids: rows
 * are stored about in the order they are received, so received_at grows with id (give or take
 * RECEIVED_OUT_OF_ORDER_MS), and about twenty lookups by id find the edge in a million rows
 * without an index on received_at for every insert to keep up.
 */
function firstIdSinceIn(db: Db): FirstIdSince {
  let statements: { span: Statement<[], { first: number | null; last: number | null }>; nextFrom: Statement<[number], { received_at: string }> } | undefined;
  return (sinceIso) => {
    const sinceMs = Date.parse(sinceIso);
    const since = Number.isNaN(sinceMs) ? sinceIso : new Date(sinceMs - RECEIVED_OUT_OF_ORDER_MS).toISOString();
    statements ??= {
      // Two subqueries: SQLite reads min() or max() off the end of the table only when it is alone in its query.
      span: db.prepare("SELECT (SELECT min(id) FROM requests) AS first, (SELECT max(id) FROM requests) AS last"),
      nextFrom: db.prepare("SELECT received_at FROM requests WHERE id >= ? ORDER BY id LIMIT 1"),
    };
    const { span, nextFrom } = statements;
    const { first, last } = span.get() ?? { first: null, last: null };
    if (first === null || last === null) return 0;
    // Invariant: the answer lies in [low, high]; high = last + 1 stands for "no row".
    let low = first;
    let high = last + 1;
    while (low < high) {
      const middle = low + Math.floor((high - low) / 2);
      const next = nextFrom.get(middle);
      if (next === undefined || next.received_at >= since) high = middle;
      else low = middle + 1;
    }
    return low;
  };
}

// The body is a BLOB, which LIKE never matches: it is read as the text it holds.
const TEXT_COLUMNS = ["event", "event_id", "account_id", "path", "verification", "verification_detail", "rejection", "CAST(body AS TEXT)"];
// LIKE folds ASCII case without copying each value, which makes it the cheapest scan of the bodies.
const TEXT_MATCH = `(${TEXT_COLUMNS.map((column) => `${column} LIKE ? ESCAPE '\\'`).join(" OR ")})`;

function likePattern(text: string): string {
  return `%${text.replace(/[\\%_]/g, (special) => `\\${special}`)}%`;
}

/**
 * The rows a filter selects, as SQL over `requests`. With `text`, the cheap filters (through their
 * indexes) find the edge of the window of rows to search first; then only rows up to that edge
 * are scanned for the text.
 */
function selection(
  store: Pick<RequestStore, "textScanWindow">,
  filter: RequestFilter,
  columns: string,
  firstIdSince: FirstIdSince,
): { sql: string; params: unknown[] } {
  const { sql, params } = whereClause(filter, firstIdSince);
  if (!filter.text) return { sql: `SELECT ${columns} FROM requests ${sql}`, params };
  const { lastId } = store.textScanWindow(filter);
  if (lastId === null) return { sql: `SELECT ${columns} FROM requests WHERE 0`, params: [] };
  const edge = filter.ascending ? "id <= ?" : "id >= ?";
  const pattern = likePattern(filter.text);
  return {
    sql: `SELECT ${columns} FROM requests ${sql ? `${sql} AND` : "WHERE"} ${edge} AND ${TEXT_MATCH}`,
    params: [...params, lastId, ...TEXT_COLUMNS.map(() => pattern)],
  };
}

/**
 * The store_info key holding the largest request id `events prune` deleted. SQLite numbers a new
 * row one past the largest id left, so once the newest rows were pruned their ids would come
 * again: an attempt still in flight for the old row (listen --forward-to) would be recorded
 * against the new one, and a replay by id would send another request. New rows are numbered past
 * this too, so an id names one request for the life of the store.
 */
export const DELETED_UP_TO_KEY = "requests_deleted_up_to";

/**
 * One statement inserts a request, numbers it past every id the store has held (DELETED_UP_TO_KEY)
 * and decides whether it is a duplicate: an event_id that a handler would already have accepted,
 * i.e. verified and answered 2xx (with listen --forward-status a verified request answered the
 * app's 500 was not accepted, so Pinwheel's retry of it is no duplicate). Being plain SQL with
 * positional parameters, the same text runs here and in the receiver's commit worker.
 */
/** Records a different answer than the verdict's (listen --forward-status answers with the app's status): (status_code, id). */
export const SET_STATUS_CODE_SQL = "UPDATE requests SET status_code = ? WHERE id = ?";

export const INSERT_REQUEST_SQL = `
  INSERT INTO requests (id, received_at, method, path, headers, body, body_size, body_truncated, event, event_id,
    account_id, webhook_id, verification, verification_detail, schema_errors, rejection, duplicate, status_code, remote_address)
  VALUES (max(ifnull((SELECT max(id) FROM requests), 0), ifnull((SELECT CAST(value AS INTEGER) FROM store_info WHERE key = '${DELETED_UP_TO_KEY}'), 0)) + 1,
    ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?,
    ? IN ('verified', 'skipped') AND ? IS NOT NULL
      AND EXISTS (SELECT 1 FROM requests WHERE event_id = ? AND verification IN ('verified', 'skipped') AND status_code < 300),
    ?, ?)
  RETURNING id, duplicate`;

export interface InsertedRow {
  id: number;
  duplicate: number;
}

/** Where INSERT_REQUEST_SQL takes the body and the schema errors (JSON) among its parameters. */
export const BODY_PARAM = 4;
export const SCHEMA_ERRORS_PARAM = 13;

/**
 * Stands for schema_errors in a parameter list whose body the receiver's commit worker validates
 * (src/receiver/validate-in-worker.ts): it replaces it with the issues' JSON, or null, before the INSERT.
 */
export const SCHEMA_ERRORS_FROM_BODY = "(validated in the commit worker)";

/** The parameters of INSERT_REQUEST_SQL, in order. */
export function insertParams(request: NewRequest): unknown[] {
  return [
    request.receivedAt,
    request.method,
    request.path,
    JSON.stringify(request.headers),
    request.body,
    request.bodySize,
    request.bodyTruncated ? 1 : 0,
    request.event,
    request.eventId,
    request.accountId,
    request.webhookId,
    request.verification,
    request.verificationDetail,
    request.schemaErrors === null ? null : JSON.stringify(request.schemaErrors),
    request.rejection,
    // the duplicate test: verification, event_id, event_id
    request.verification,
    request.eventId,
    request.eventId,
    request.statusCode,
    request.remoteAddress,
  ];
}

export function storedFrom(request: NewRequest, row: InsertedRow): StoredRequest {
  return { ...request, id: row.id, duplicate: row.duplicate === 1 };
}

export function requestStore(db: Db): RequestStore {
  // Prepared on first use: a store an older pinwheel-cli made has no store_info until one that
  // writes opens it, and the read-only commands never do.
  let insert: Statement<unknown[], InsertedRow> | undefined;
  const byId = db.prepare<[number], RequestRow>("SELECT * FROM requests WHERE id = ?");
  const byEventId = db.prepare<[string], RequestRow>(
    "SELECT * FROM requests WHERE event_id = ? ORDER BY id DESC LIMIT 1",
  );
  const verifiedFirstByEventId = db.prepare<[string], RequestRow>(
    "SELECT * FROM requests WHERE event_id = ? ORDER BY verification = 'verified' DESC, id DESC LIMIT 1",
  );

  const withEventId = db.prepare<[string], number>("SELECT count(*) FROM requests WHERE event_id = ?").pluck();
  let deletedUpTo: Statement<[], string> | undefined;
  const firstIdSince = firstIdSinceIn(db);

  const store: RequestStore = {
    deletedUpTo() {
      if (deletedUpTo === undefined) {
        if (!hasTable(db, "store_info")) return 0;
        deletedUpTo = db.prepare<[], string>(`SELECT value FROM store_info WHERE key = '${DELETED_UP_TO_KEY}'`).pluck();
      }
      return Number(deletedUpTo.get() ?? 0);
    },
    insert(request) {
      insert ??= db.prepare<unknown[], InsertedRow>(INSERT_REQUEST_SQL);
      return storedFrom(request, defined(insert.get(...insertParams(request)), "the inserted request row"));
    },
    list(filter = {}) {
      const { sql, params } = selection(store, filter, LISTED_COLUMNS, firstIdSince);
      const order = filter.ascending ? "ASC" : "DESC";
      const limit = filter.limit ?? -1;
      return db
        .prepare<unknown[], Omit<RequestRow, "headers" | "body">>(`${sql} ORDER BY id ${order} LIMIT ?`)
        .all(...params, limit)
        .map(fromListedRow);
    },
    count(filter = {}) {
      const { sql, params } = selection(store, filter, "id", firstIdSince);
      const row = db.prepare<unknown[], { n: number }>(`SELECT count(*) AS n FROM (${sql})`).get(...params);
      return defined(row, "count(*)'s row").n;
    },
    accountIdsStartingWith(prefix, limit) {
      // A range on the (account_id, id) index: no LIKE, whose case folding and wildcards a prefix does not want.
      return db
        .prepare<[string, string, number], string>("SELECT DISTINCT account_id FROM requests WHERE account_id >= ? AND account_id < ? ORDER BY account_id LIMIT ?")
        .pluck()
        .all(prefix, `${prefix}\uffff`, limit);
    },
    listReplayable(filter, withHeaders = false) {
      const headers = withHeaders ? "headers" : "CASE WHEN webhook_id IS NULL OR instr(webhook_id, ',') > 0 THEN headers END AS headers";
      const { sql, params } = selection(store, filter, `id, event, event_id, body, verification, rejection, webhook_id, ${headers}`, firstIdSince);
      const order = filter.ascending ? "ASC" : "DESC";
      type Row = Pick<RequestRow, "id" | "event" | "event_id" | "body" | "verification" | "rejection" | "webhook_id"> & { headers: string | null };
      return db
        .prepare<unknown[], Row>(`${sql} ORDER BY id ${order} LIMIT ?`)
        .all(...params, filter.limit ?? -1)
        .map((row) => {
          const replayable: ReplayableRequest = {
            id: row.id,
            event: row.event,
            eventId: row.event_id,
            body: row.body,
            verification: row.verification,
            rejection: row.rejection,
            webhookId: row.webhook_id,
          };
          if (row.headers !== null) replayable.headers = JSON.parse(row.headers) as HeaderPairs;
          return replayable;
        });
    },
    countWhole(filter) {
      const { sql, params } = selection(store, filter, "body_truncated, verification, rejection", firstIdSince);
      const row = db
        .prepare<unknown[], WholeCounts>(
          `SELECT count(*) AS rows, ifnull(sum(body_truncated = 0), 0) AS whole,
             ifnull(sum(body_truncated = 0 AND verification = 'verified'), 0) AS wholeVerified,
             ifnull(sum(body_truncated = 0 AND verification = 'verified' AND rejection IS NOT NULL), 0) AS wholeVerifiedRejected FROM (${sql})`,
        )
        .get(...params);
      return defined(row, "count(*)'s row");
    },
    textScanWindow(filter) {
      const { sql, params } = whereClause(filter, firstIdSince);
      const order = filter.ascending ? "ASC" : "DESC";
      const edge = filter.ascending ? "max" : "min";
      const row = db
        .prepare<unknown[], { scanned: number; lastId: number | null }>(
          `SELECT count(*) AS scanned, ${edge}(id) AS lastId FROM (SELECT id FROM requests ${sql} ORDER BY id ${order} LIMIT ?)`,
        )
        .get(...params, filter.textScanLimit ?? TEXT_SCAN_LIMIT);
      return { scanned: row?.scanned ?? 0, lastId: row?.lastId ?? null };
    },
    find(reference, verifiedFirst = false) {
      const row = /^\d+$/.test(reference) ? byId.get(Number(reference)) : (verifiedFirst ? verifiedFirstByEventId : byEventId).get(reference);
      return row === undefined ? undefined : fromRow(row);
    },
    countWithEventId(eventId) {
      return defined(withEventId.get(eventId), "count(*)'s row");
    },
  };
  return store;
}

/** Which stored requests `prune` removes: those received before an ISO time, or all. */
export type PruneSelection = { before: string } | { all: true };

export interface PruneResult {
  /** Requests deleted (or, dry, that would be). */
  deleted: number;
  /** Delivery attempts of those requests (replays and forwards of them), deleted with them. */
  deletedAttempts: number;
}

const PRUNE_WHERE = (selection: PruneSelection): [string, unknown[]] => ("all" in selection ? ["1", []] : ["received_at < ?", [selection.before]]);

/** How many requests `prune` would delete, and their attempts. */
export function countPrunable(db: Db, selection: PruneSelection): PruneResult {
  const [where, params] = PRUNE_WHERE(selection);
  const deleted = db.prepare(`SELECT count(*) FROM requests WHERE ${where}`).pluck().get(...params) as number;
  const hasAttempts = hasTable(db, "deliveries");
  const deletedAttempts = hasAttempts
    ? (db.prepare(`SELECT count(*) FROM deliveries WHERE request_id IN (SELECT id FROM requests WHERE ${where})`).pluck().get(...params) as number)
    : 0;
  return { deleted, deletedAttempts };
}

/**
 * Deletes the selected requests and the attempts that replayed or forwarded them, a batch per
 * transaction: a running listen waits for one batch (its busy_timeout), never for the whole prune.
 * Attempts with no stored request (simulate, smoke) stay.
 */
export function pruneRequests(db: Db, selection: PruneSelection, batchSize = 500): PruneResult {
  const [where, params] = PRUNE_WHERE(selection);
  const pick = db.prepare(`SELECT id FROM requests WHERE ${where} ORDER BY id LIMIT ?`).pluck();
  const hasAttempts = hasTable(db, "deliveries");
  const result: PruneResult = { deleted: 0, deletedAttempts: 0 };
  db.exec(STORE_INFO_TABLE);
  const markDeleted = db.prepare(
    `INSERT INTO store_info (key, value) VALUES ('${DELETED_UP_TO_KEY}', ?)
     ON CONFLICT (key) DO UPDATE SET value = max(CAST(value AS INTEGER), CAST(excluded.value AS INTEGER))`,
  );
  const batch = db.transaction(() => {
    const ids = pick.all(...params, batchSize) as number[];
    if (ids.length === 0) return 0;
    const list = ids.join(",");
    if (hasAttempts) result.deletedAttempts += db.prepare(`DELETE FROM deliveries WHERE request_id IN (${list})`).run().changes;
    result.deleted += db.prepare(`DELETE FROM requests WHERE id IN (${list})`).run().changes;
    markDeleted.run(ids[ids.length - 1]);
    return ids.length;
  });
  while (batch.immediate() === batchSize) {
    // Another writer (listen) takes its turn between batches.
  }
  return result;
}
