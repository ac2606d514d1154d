import { randomUUID } from "node:crypto";
import { describe, expect, it } from "vitest";
import type { Db } from "../../src/store/database.js";
import { tempDatabases } from "../helpers/temp-database.js";
import { deliveryStore, type NewDeliveryAttempt } from "../../src/store/deliveries.js";

const newDatabase = tempDatabases("pinwheel-deliveries-");
let db: Db | undefined;

function store() {
  db = newDatabase();
  return deliveryStore(db);
}

function attempt(eventId: string | null, fields: Partial<NewDeliveryAttempt> = {}): NewDeliveryAttempt {
  return {
    deliveryId: randomUUID(),
    source: "simulate",
    event: "income.added",
    eventId,
    webhookId: null,
    requestId: null,
    url: "http://127.0.0.1:3000/",
    attempt: 1,
    startedAt: new Date().toISOString(),
    durationMs: 1.5,
    statusCode: 200,
    error: null,
    responseBody: "{}",
    ...fields,
  };
}

describe("deliveries by event_id and by request", () => {
  it("finds every attempt of an event_id, and only those, without an index on it", () => {
    const deliveries = store();
    const eventId = "0b1f5a6c-1111-4e2a-9c1e-3b8f2d4e6a70";
    const other = "0b1f5a6c-2222-4e2a-9c1e-3b8f2d4e6a70";
    const first = deliveries.insert(attempt(eventId));
    deliveries.insert(attempt(other));
    deliveries.insert(attempt(randomUUID()));
    deliveries.insert(attempt(null));
    const retry = deliveries.insert(attempt(eventId, { attempt: 2 }));
    expect(deliveries.list({ eventId }).map((row) => row.id)).toEqual([retry.id, first.id]);
    expect(deliveries.list({ eventId: "evt-short" })).toEqual([]);
    const custom = deliveries.insert(attempt("evt-short"));
    expect(deliveries.list({ eventId: "evt-short" }).map((row) => row.id)).toEqual([custom.id]);
  });

  it("finds a request's attempts through the one index attempts have; an attempt with no request is left out of it", () => {
    const deliveries = store();
    const forRequest = deliveries.insert(attempt(randomUUID(), { source: "replay", requestId: 7 }));
    deliveries.insert(attempt(randomUUID()));
    expect(deliveries.list({ requestId: 7 }).map((row) => row.id)).toEqual([forRequest.id]);
    const plan = (sql: string, ...params: unknown[]) =>
      db!.prepare(`EXPLAIN QUERY PLAN ${sql}`).all(...params).map((step) => (step as { detail: string }).detail).join("; ");
    expect(plan("SELECT * FROM deliveries WHERE request_id = ? ORDER BY id DESC", 7)).toContain("deliveries_request_id");
    const indexes = db!.prepare("SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = 'deliveries'").all();
    // Every index is written by every recorded attempt; event_id has none on purpose (migration 5).
    expect(indexes.map((row) => (row as { name: string }).name)).toEqual(["deliveries_request_id"]);
    const partial = db!.prepare("SELECT count(*) AS n FROM deliveries INDEXED BY deliveries_request_id WHERE request_id IS NOT NULL").get() as { n: number };
    expect(partial.n).toBe(1);
  });
});
