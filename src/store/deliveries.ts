import type { Db } from "./database.js";
import type { StoredRequest } from "./requests.js";
import { hasTable } from "./migrations.js";

export type DeliverySource = "simulate" | "replay" | "smoke" | "forward" | "fanout" | "sandbox";

export interface DeliveryAttempt {
  id: number;
  deliveryId: string;
  source: DeliverySource;
  event: string | null;
  eventId: string | null;
  webhookId: string | null;
  requestId: number | null;
  url: string;
  attempt: number;
  startedAt: string;
  durationMs: number;
  statusCode: number | null;
  error: string | null;
  responseBody: string | null;
}

export interface DeliveryFilter {
  eventId?: string;
  requestId?: number;
  limit?: number;
}

interface DeliveryRow {
  id: number;
  delivery_id: string;
  source: DeliverySource;
  event: string | null;
  event_id: string | null;
  webhook_id: string | null;
  request_id: number | null;
  url: string;
  attempt: number;
  started_at: string;
  duration_ms: number;
  status_code: number | null;
  error: string | null;
  response_body: string | null;
}

function fromRow(row: DeliveryRow): DeliveryAttempt {
  return {
    id: row.id,
    deliveryId: row.delivery_id,
    source: row.source,
    event: row.event,
    eventId: row.event_id,
    webhookId: row.webhook_id,
    requestId: row.request_id,
    url: row.url,
    attempt: row.attempt,
    startedAt: row.started_at,
    durationMs: row.duration_ms,
    statusCode: row.status_code,
    error: row.error,
    responseBody: row.response_body,
  };
}

export interface DeliveryStore {
  list(filter?: DeliveryFilter): DeliveryAttempt[];
  /** How many attempts the filter matches, whatever its limit (a --event-id count reads the whole log). */
  count(filter?: Omit<DeliveryFilter, "limit">): number;
  /** Where `listen --forward-to` last sent events: replay's default target. */
  lastForwardUrl(): string | undefined;
}

/**
 * How every attempt is written (src/delivery/recorder.ts builds its parameters): plain SQL with
 * positional parameters, as named binding costs a lookup per column per row. A run's staging
 * table has these columns, in this order.
 */
export const RECORD_DELIVERY_COLUMNS =
  "delivery_id, source, event, event_id, webhook_id, request_id, url, attempt, started_at, duration_ms, status_code, error, response_body";
export const RECORD_DELIVERY_SQL = `INSERT INTO deliveries (${RECORD_DELIVERY_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`;

/** Repeats the condition of the partial index deliveries_forward (migration 6), so that SQLite uses it. */
export const LAST_FORWARD_URL_SQL = "SELECT url FROM deliveries WHERE source = 'forward' ORDER BY id DESC LIMIT 1";

export function deliveryStore(db: Db): DeliveryStore {
  return {
    lastForwardUrl() {
      const row = db.prepare<[], { url: string }>(LAST_FORWARD_URL_SQL).get();
      return row?.url;
    },
    list(filter = {}) {
      // A store of schema 1, read as it is (read-only, not migrated), has no attempt log yet.
      if (!hasTable(db, "deliveries")) return [];
      const { where, params } = whereOf(filter);
      return db
        .prepare<unknown[], DeliveryRow>(`SELECT * FROM deliveries ${where} ORDER BY id DESC LIMIT ?`)
        .all(...params, filter.limit ?? -1)
        .map(fromRow);
    },
    count(filter = {}) {
      if (!hasTable(db, "deliveries")) return 0;
      const { where, params } = whereOf(filter);
      return db.prepare<unknown[], number>(`SELECT count(*) FROM deliveries ${where}`).pluck().get(...params) ?? 0;
    },
  };
}

function whereOf(filter: DeliveryFilter): { where: string; params: unknown[] } {
  const clauses: string[] = [];
  const params: unknown[] = [];
  if (filter.eventId) {
    // No index (see migration 5): newest first, the scan stops at the limit.
    clauses.push("event_id = ?");
    params.push(filter.eventId);
  }
  if (filter.requestId !== undefined) {
    clauses.push("request_id = ?");
    params.push(filter.requestId);
  }
  return { where: clauses.length ? `WHERE ${clauses.join(" AND ")}` : "", params };
}

/** Attempts of an event_id events show lists besides the request's own (the newest). */
const EVENT_ID_ATTEMPTS = 50;
/** The request's own attempts shown at most (as the inspector shows). */
const OWN_ATTEMPTS = 500;

/**
 * The delivery attempts of a stored request, newest first: those recorded against it (its forwards
 * and replays, which a body with no event_id, or many senders of one event_id, would otherwise
 * hide) and the newest of its event_id's (what simulate, replay and smoke sent).
 */
export function deliveriesOf(db: Db, request: Pick<StoredRequest, "id" | "eventId">): DeliveryAttempt[] {
  const store = deliveryStore(db);
  const own = store.list({ requestId: request.id, limit: OWN_ATTEMPTS });
  const seen = new Set(own.map((attempt) => attempt.id));
  const others = request.eventId ? store.list({ eventId: request.eventId, limit: EVENT_ID_ATTEMPTS }).filter((attempt) => !seen.has(attempt.id)) : [];
  return [...own, ...others].sort((a, b) => b.id - a.id);
}
