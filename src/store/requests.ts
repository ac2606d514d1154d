import type { Db } from "./database.js";

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

function fromRow(row: RequestRow): StoredRequest {
  return {
    id: row.id,
    receivedAt: row.received_at,
    method: row.method,
    path: row.path,
    headers: JSON.parse(row.headers) as HeaderPairs,
    body: row.body,
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

export interface RequestStore {
  /** Inserts one request; must run inside the caller's transaction for group commit. */
  insert(request: NewRequest): StoredRequest;
  list(filter?: RequestFilter): StoredRequest[];
  count(filter?: RequestFilter): number;
  /** By row id (digits) or by event_id (the newest request carrying it). */
  find(reference: string): StoredRequest | undefined;
  /** Records a different answer than the verdict's (listen --forward-status answers with the app's status). */
  setStatusCode(id: number, statusCode: number): void;
}

function whereClause(filter: RequestFilter): { sql: string; params: unknown[] } {
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
    clauses.push("verification NOT IN ('verified', 'skipped')");
  } else if (filter.verdict) {
    clauses.push("verification = ?");
    params.push(filter.verdict);
  }
  if (filter.since) {
    clauses.push("received_at >= ?");
    params.push(filter.since);
  }
  if (filter.afterId !== undefined) {
    clauses.push("id > ?");
    params.push(filter.afterId);
  }
  return { sql: clauses.length ? `WHERE ${clauses.join(" AND ")}` : "", params };
}

export function requestStore(db: Db): RequestStore {
  const seenVerified = db.prepare<[string], number>(
    "SELECT 1 FROM requests WHERE event_id = ? AND verification IN ('verified', 'skipped') LIMIT 1",
  );
  seenVerified.pluck();
  const insert = db.prepare(`
    INSERT INTO requests (received_at, method, path, headers, body, body_size, body_truncated, event, event_id,
      account_id, webhook_id, verification, verification_detail, schema_errors, rejection, duplicate, status_code, remote_address)
    VALUES (@received_at, @method, @path, @headers, @body, @body_size, @body_truncated, @event, @event_id,
      @account_id, @webhook_id, @verification, @verification_detail, @schema_errors, @rejection, @duplicate, @status_code, @remote_address)
  `);
  const byId = db.prepare<[number], RequestRow>("SELECT * FROM requests WHERE id = ?");
  const byEventId = db.prepare<[string], RequestRow>(
    "SELECT * FROM requests WHERE event_id = ? ORDER BY id DESC LIMIT 1",
  );

  const updateStatus = db.prepare<[number, number]>("UPDATE requests SET status_code = ? WHERE id = ?");

  return {
    setStatusCode(id, statusCode) {
      updateStatus.run(statusCode, id);
    },
    insert(request) {
      const accepted = request.verification === "verified" || request.verification === "skipped";
      // A duplicate is an event_id a handler would already have accepted: only accepted requests count.
      const duplicate = accepted && request.eventId !== null && seenVerified.get(request.eventId) !== undefined;
      const result = insert.run({
        received_at: request.receivedAt,
        method: request.method,
        path: request.path,
        headers: JSON.stringify(request.headers),
        body: request.body,
        body_size: request.bodySize,
        body_truncated: request.bodyTruncated ? 1 : 0,
        event: request.event,
        event_id: request.eventId,
        account_id: request.accountId,
        webhook_id: request.webhookId,
        verification: request.verification,
        verification_detail: request.verificationDetail,
        schema_errors: request.schemaErrors === null ? null : JSON.stringify(request.schemaErrors),
        rejection: request.rejection,
        duplicate: duplicate ? 1 : 0,
        status_code: request.statusCode,
        remote_address: request.remoteAddress,
      });
      return { ...request, id: Number(result.lastInsertRowid), duplicate };
    },
    list(filter = {}) {
      const { sql, params } = whereClause(filter);
      const order = filter.ascending ? "ASC" : "DESC";
      const limit = filter.limit ?? -1;
      return db
        .prepare<unknown[], RequestRow>(`SELECT * FROM requests ${sql} ORDER BY id ${order} LIMIT ?`)
        .all(...params, limit)
        .map(fromRow);
    },
    count(filter = {}) {
      const { sql, params } = whereClause(filter);
      return db
        .prepare<unknown[], { n: number }>(`SELECT count(*) AS n FROM requests ${sql}`)
        .get(...params)!.n;
    },
    find(reference) {
      const row = /^\d+$/.test(reference) ? byId.get(Number(reference)) : byEventId.get(reference);
      return row === undefined ? undefined : fromRow(row);
    },
  };
}
