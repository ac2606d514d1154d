import { randomUUID } from "node:crypto";
import { describe, expect, it } from "vitest";
import type { Db } from "../../src/store/database.js";
import { tempDatabases } from "../helpers/temp-database.js";
import { requestStore, SET_STATUS_CODE_SQL, UNVERIFIED_CONDITION } from "../../src/store/requests.js";
import { storedRow } from "../helpers/stored-requests.js";
import { replayItem } from "../../src/delivery/replay-item.js";

const newDatabase = tempDatabases("pinwheel-requests-");
let db: Db | undefined;

function store() {
  db = newDatabase();
  return requestStore(db);
}

describe("text search", () => {
  it("finds text that only the body holds, whatever its case, and only in the rows that hold it", () => {
    const requests = store();
    const plain = requests.insert(storedRow(randomUUID()));
    const body = Buffer.from(JSON.stringify({ event: "income.added", event_id: randomUUID(), payload: { employer: "Needle & Thread Co" } }));
    const holding = requests.insert(storedRow(randomUUID(), { body, bodySize: body.length }));
    for (const text of ["Needle & Thread", "needle & thread"]) {
      expect(requests.list({ text }).map((row) => row.id)).toEqual([holding.id]);
      expect(requests.count({ text })).toBe(1);
    }
    expect(requests.list({ text: "never stored" })).toEqual([]);
    expect(plain.id).not.toBe(holding.id);
  });
});

describe("duplicates", () => {
  it("an event_id is a duplicate only once a request carrying it was verified and answered 2xx", () => {
    const requests = store();
    const eventId = randomUUID();
    const forged = requests.insert(storedRow(eventId, { verification: "bad_signature", statusCode: 401 }));
    const first = requests.insert(storedRow(eventId));
    const again = requests.insert(storedRow(eventId));
    expect([forged.duplicate, first.duplicate, again.duplicate]).toEqual([false, false, true]);
  });

  it("a verified request whose answer became the app's 500 (listen --forward-status) was not accepted: its retry is no duplicate", () => {
    const requests = store();
    const eventId = randomUUID();
    const first = requests.insert(storedRow(eventId));
    db?.prepare(SET_STATUS_CODE_SQL).run(500, first.id);
    const retry = requests.insert(storedRow(eventId));
    const retryAgain = requests.insert(storedRow(eventId));
    expect([retry.duplicate, retryAgain.duplicate]).toEqual([false, true]);
  });
});

describe("countWhole", () => {
  it("counts in one scan what a filter selects, what is stored whole, and what of that passed verification", () => {
    const requests = store();
    requests.insert(storedRow(randomUUID()));
    requests.insert(storedRow(randomUUID(), { verification: "skipped" }));
    requests.insert(storedRow(randomUUID(), { verification: "bad_signature", statusCode: 401 }));
    requests.insert(storedRow(randomUUID(), { bodyTruncated: true }));
    requests.insert(storedRow(randomUUID(), { bodyTruncated: true, verification: "stale_timestamp", statusCode: 401 }));
    requests.insert(storedRow(randomUUID(), { event: "paystubs.added" }));
    // Verified, then rejected by listen: a body that is not JSON, answered 400.
    requests.insert(storedRow(randomUUID(), { event: null, statusCode: 400, rejection: "the body is not valid JSON" }));
    // A --skip-verify row (the second) is stored whole but was never verified: a replay re-signs it only when asked.
    expect(requests.countWhole({})).toEqual({ rows: 7, whole: 5, wholeVerified: 3, wholeVerifiedRejected: 1 });
    expect(requests.countWhole({ event: "income.added" })).toEqual({ rows: 5, whole: 3, wholeVerified: 1, wholeVerifiedRejected: 0 });
    expect(requests.countWhole({ verdict: "failed" })).toEqual({ rows: 2, whole: 1, wholeVerified: 0, wholeVerifiedRejected: 0 });
    expect(requests.countWhole({ event: "nothing.here" })).toEqual({ rows: 0, whole: 0, wholeVerified: 0, wholeVerifiedRejected: 0 });
    // Each figure is what count() gives for the same rows.
    expect(requests.count({ storedWhole: true, verifiedOnly: true })).toBe(3);
    expect(requests.count({ storedWhole: true, verifiedOnly: true, withoutRejected: true })).toBe(2);
    expect(requests.count({ storedWhole: true, withoutRejected: true })).toBe(4);
  });
});

describe("list", () => {
  it("gives every field of find() but the headers and body, which a list never shows", () => {
    const requests = store();
    const large = Buffer.alloc(900_000, 0x20);
    for (let n = 0; n < 3; n++) requests.insert(storedRow(randomUUID(), { body: large, bodySize: large.length, schemaErrors: [{ path: "payload.x", message: "unknown" }] }));
    const listed = requests.list();
    expect(listed).toHaveLength(3);
    for (const row of listed) {
      expect(row).not.toHaveProperty("body");
      expect(row).not.toHaveProperty("headers");
      const { body, headers, ...whole } = requests.find(String(row.id))!;
      expect(body.length).toBe(900_000);
      expect(headers).toEqual([["content-type", "application/json"]]);
      expect(row).toEqual(whole);
    }
  });
});

describe("listReplayable", () => {
  it("gives the rows list() gives, with the fields a replay sends", () => {
    const requests = store();
    for (let n = 0; n < 5; n++) {
      requests.insert(storedRow(randomUUID(), { headers: [["x-pinwheel-webhook-id", `w-${n}`], ["X-Custom", "a"], ["x-custom", "b"]], verification: n === 2 ? "bad_signature" : "verified" }));
    }
    const filter = { verifiedOnly: true, storedWhole: true, ascending: true, afterId: 1, limit: 3 };
    const full = requests.list(filter).map((row) => requests.find(String(row.id))!);
    expect(full.map((row) => row.id)).toEqual([2, 4, 5]);
    expect(requests.listReplayable(filter, true)).toEqual(
      full.map(({ id, event, eventId, body, headers, verification, rejection, webhookId }) => ({ id, event, eventId, body, headers, verification, rejection, webhookId })),
    );
  });

  it("reads headers only where webhook_id cannot stand for the header a re-signed replay sends", () => {
    const requests = store();
    const once = requests.insert(storedRow(randomUUID(), { webhookId: "w-1", headers: [["x-pinwheel-webhook-id", "w-1"]] }));
    const twice = requests.insert(storedRow(randomUUID(), { webhookId: "w-2, w-3", headers: [["x-pinwheel-webhook-id", "w-2"], ["x-pinwheel-webhook-id", "w-3"]] }));
    const none = requests.insert(storedRow(randomUUID(), { webhookId: null, headers: [["content-type", "application/json"]] }));
    const rows = requests.listReplayable({ ascending: true });
    expect(rows.map((row) => [row.id, row.webhookId, row.headers])).toEqual([
      [once.id, "w-1", undefined],
      [twice.id, "w-2, w-3", [["x-pinwheel-webhook-id", "w-2"], ["x-pinwheel-webhook-id", "w-3"]]],
      [none.id, null, [["content-type", "application/json"]]],
    ]);
    expect(rows.map((row) => replayItem(row, false).webhookId)).toEqual(["w-1", "w-2", undefined]);
    expect(requests.listReplayable({ ascending: true }, true).every((row) => Array.isArray(row.headers))).toBe(true);
  });
});

describe("filters without an index of their own", () => {
  const at = (second: number) => new Date(Date.UTC(2026, 10, 30, 9, 0, second)).toISOString();

  it("--since finds the first row received at or after its time, also across gaps in the ids", () => {
    const requests = store();
    // Rows at seconds 0, 2, 2, 4, ... 38; every third one deleted, so ids have gaps.
    const seconds = Array.from({ length: 20 }, (_, index) => index * 2).flatMap((second) => (second === 2 ? [2, 2] : [second]));
    const ids = seconds.map((second) => requests.insert(storedRow(randomUUID(), { receivedAt: at(second) })).id);
    db!.prepare("DELETE FROM requests WHERE id % 3 = 0").run();
    const kept = ids.map((id, index) => ({ id, receivedAt: at(seconds[index]!) })).filter((row) => row.id % 3 !== 0);

    for (let second = -1; second <= 40; second++) {
      const since = second < 0 ? "2026-11-30T08:00:00.000Z" : at(second);
      const expected = kept.filter((row) => row.receivedAt >= since).map((row) => row.id);
      const newestFirst = requests.list({ since }).map((row) => row.id);
      expect(newestFirst, `since ${since}`).toEqual([...expected].reverse());
      expect(requests.count({ since }), `count since ${since}`).toBe(expected.length);
    }
    expect(requests.list({ since: at(1) }).at(-1)?.receivedAt).toBe(at(2));
    expect(requests.list({ since: "2027-01-01T00:00:00.000Z" })).toEqual([]);
  });

  it("--since still finds a row stored up to a minute out of order (a second writer on the file)", () => {
    const requests = store();
    // The row received at 160 s was stored before those received at 100 and 120 s.
    const seconds = [0, 160, 100, 120, 200, 300];
    const ids = seconds.map((second) => requests.insert(storedRow(randomUUID(), { receivedAt: at(second) })).id);
    expect(requests.list({ since: at(150), ascending: true }).map((row) => row.id)).toEqual([ids[1], ids[4], ids[5]]);
    expect(requests.count({ since: at(110) })).toBe(4);
  });

  it("--since on an empty store is an empty answer", () => {
    expect(store().list({ since: at(0) })).toEqual([]);
  });

  it("a failure's verdict uses the partial index of unverified rows; verified and failed read the table in id order", () => {
    const requests = store();
    const verdicts = ["verified", "bad_signature", "skipped", "verified", "stale_timestamp", "bad_signature", "not_checked", "verified"];
    const ids = verdicts.map((verification) => requests.insert(storedRow(randomUUID(), { verification, statusCode: verification === "verified" || verification === "skipped" ? 200 : 401 })).id);
    const idsOf = (wanted: (verdict: string) => boolean) => ids.filter((_, index) => wanted(verdicts[index]!)).reverse();

    expect(requests.list({ verdict: "bad_signature" }).map((row) => row.id)).toEqual(idsOf((v) => v === "bad_signature"));
    expect(requests.list({ verdict: "skipped" }).map((row) => row.id)).toEqual(idsOf((v) => v === "skipped"));
    expect(requests.list({ verdict: "verified" }).map((row) => row.id)).toEqual(idsOf((v) => v === "verified"));
    expect(requests.list({ verdict: "failed" }).map((row) => row.id)).toEqual(idsOf((v) => v !== "verified" && v !== "skipped"));

    const plan = (sql: string, ...params: unknown[]) =>
      db!.prepare(`EXPLAIN QUERY PLAN ${sql}`).all(...params).map((step) => (step as { detail: string }).detail).join("; ");
    // The query list() runs for a single failure's verdict: the condition it repeats is the index's own.
    expect(plan(`SELECT * FROM requests WHERE verification = ? AND ${UNVERIFIED_CONDITION} ORDER BY id DESC`, "bad_signature")).toContain("requests_unverified");
    const indexes = db!.prepare("SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = 'requests' AND sql IS NOT NULL").all();
    expect(indexes.map((row) => (row as { name: string }).name).sort()).toEqual(["requests_account_id", "requests_event", "requests_event_id", "requests_unverified"]);
  });
});
