import { randomUUID } from "node:crypto";
import { describe, expect, it } from "vitest";
import { attemptRecorder, type DeliveryContext } from "../../src/delivery/recorder.js";
import type { Db } from "../../src/store/database.js";
import { deliveriesOf, deliveryStore, LAST_FORWARD_URL_SQL, type DeliverySource } from "../../src/store/deliveries.js";
import { tempDatabases } from "../helpers/temp-database.js";

const newDatabase = tempDatabases("pinwheel-deliveries-");

/** SQLite's plan for a query, its steps joined: which index (if any) it reads. */
function queryPlan(db: Db, sql: string, ...params: unknown[]): string {
  return db.prepare(`EXPLAIN QUERY PLAN ${sql}`).all(...params).map((step) => (step as { detail: string }).detail).join("; ");
}

/** Records attempts the way every sender does (the attempt log's own statement), then reads them back by delivery id. */
async function recorded(
  db: Db,
  attempts: { eventId: string | null; attempt?: number; requestId?: number | null; source?: DeliverySource; url?: string }[],
): Promise<number[]> {
  const recorder = attemptRecorder(db);
  const deliveryIds = attempts.map(({ eventId, attempt = 1, requestId = null, source = requestId === null ? "simulate" : "replay", url = "http://127.0.0.1:3000/" }) => {
    const context: DeliveryContext = { deliveryId: randomUUID(), source, event: "income.added", eventId, requestId };
    recorder.record(context, { url, startedAt: new Date().toISOString(), durationMs: 1.5, statusCode: 200, responseBody: "{}", attempt, ok: true });
    return context.deliveryId;
  });
  await recorder.close();
  const idOf = new Map(deliveryStore(db).list().map((row) => [row.deliveryId, row.id]));
  return deliveryIds.map((deliveryId) => idOf.get(deliveryId)!);
}

describe("deliveries by event_id and by request", () => {
  it("finds every attempt of an event_id, and only those, without an index on it", async () => {
    const db = newDatabase();
    const eventId = "0b1f5a6c-1111-4e2a-9c1e-3b8f2d4e6a70";
    const [first, , , , retry] = await recorded(db, [
      { eventId },
      { eventId: "0b1f5a6c-2222-4e2a-9c1e-3b8f2d4e6a70" },
      { eventId: randomUUID() },
      { eventId: null },
      { eventId, attempt: 2 },
    ]);
    const deliveries = deliveryStore(db);
    expect(deliveries.list({ eventId }).map((row) => row.id)).toEqual([retry, first]);
    expect(deliveries.list({ eventId: "evt-short" })).toEqual([]);
    const [custom] = await recorded(db, [{ eventId: "evt-short" }]);
    expect(deliveries.list({ eventId: "evt-short" }).map((row) => row.id)).toEqual([custom]);
  });

  it("a stored request's deliveries are its event_id's attempts; a request with no event_id and no attempts of its own has none", async () => {
    const db = newDatabase();
    const eventId = randomUUID();
    const [first, , retry] = await recorded(db, [{ eventId }, { eventId: randomUUID() }, { eventId, attempt: 2 }, { eventId: null }]);
    expect(deliveriesOf(db, { id: 1, eventId }).map((row) => row.id)).toEqual([retry, first]);
    expect(deliveriesOf(db, { id: 1, eventId: null })).toEqual([]);
  });

  it("a stored request's deliveries include the attempts recorded against it: a body with no event_id, and past its event_id's newest 50", async () => {
    const db = newDatabase();
    const eventId = randomUUID();
    // A replay of a body with no event_id (not JSON) is recorded against its request alone.
    const [replayOfNoEventId] = await recorded(db, [{ eventId: null, requestId: 4 }, { eventId: null }]);
    expect(deliveriesOf(db, { id: 4, eventId: null }).map((row) => row.id)).toEqual([replayOfNoEventId]);
    // Request 5's own forward, then 60 sends of its event_id by others: its forward is still listed, once.
    const [forward, ...others] = await recorded(db, [{ eventId, requestId: 5, source: "forward" }, ...Array.from({ length: 60 }, () => ({ eventId }))]);
    const shown = deliveriesOf(db, { id: 5, eventId }).map((row) => row.id);
    expect(shown).toEqual([...others.slice(-50).reverse(), forward]);
  });

  it("finds a request's attempts through a partial index; an attempt with no request is left out of it", async () => {
    const db = newDatabase();
    const [forRequest] = await recorded(db, [{ eventId: randomUUID(), requestId: 7 }, { eventId: randomUUID() }]);
    expect(deliveryStore(db).list({ requestId: 7 }).map((row) => row.id)).toEqual([forRequest]);
    expect(queryPlan(db, "SELECT * FROM deliveries WHERE request_id = ? ORDER BY id DESC", 7)).toContain("deliveries_request_id");
    const indexes = db.prepare("SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = 'deliveries'").all();
    // Both are partial: an attempt is written to them only if it has a request (a replay, a forward)
    // or is a forward. event_id has no index on purpose (migration 5).
    expect(indexes.map((row) => (row as { name: string }).name)).toEqual(["deliveries_request_id", "deliveries_forward"]);
    const partial = db.prepare("SELECT count(*) AS n FROM deliveries INDEXED BY deliveries_request_id WHERE request_id IS NOT NULL").get() as { n: number };
    expect(partial.n).toBe(1);
  });

  it("finds where listen last forwarded among the forward attempts alone, not by a scan back through every attempt", async () => {
    const db = newDatabase();
    expect(deliveryStore(db).lastForwardUrl()).toBeUndefined();
    await recorded(db, [
      { eventId: randomUUID(), source: "forward", url: "http://127.0.0.1:4000/old", requestId: 1 },
      { eventId: randomUUID(), source: "forward", url: "http://127.0.0.1:4000/new", requestId: 2 },
      ...Array.from({ length: 50 }, () => ({ eventId: randomUUID() })),
      { eventId: randomUUID(), requestId: 3 },
    ]);
    expect(deliveryStore(db).lastForwardUrl()).toBe("http://127.0.0.1:4000/new");
    expect(queryPlan(db, LAST_FORWARD_URL_SQL)).toContain("deliveries_forward");
    const indexed = db.prepare("SELECT count(*) AS n FROM deliveries INDEXED BY deliveries_forward WHERE source = 'forward'").get() as { n: number };
    expect(indexed.n).toBe(2);
  });
});
