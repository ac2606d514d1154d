import { randomUUID } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { openDatabase, type Db } from "../../src/store/database.js";
import { requestStore } from "../../src/store/requests.js";
import { storedRow } from "../helpers/stored-requests.js";

let dir: string | undefined;
let db: Db | undefined;
afterEach(() => {
  db?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
  db = undefined;
  dir = undefined;
});

function store() {
  dir = mkdtempSync(join(tmpdir(), "pinwheel-requests-"));
  db = openDatabase(join(dir, "events.db"));
  return requestStore(db);
}

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
    requests.setStatusCode(first.id, 500);
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
    expect(requests.countWhole({})).toEqual({ rows: 6, whole: 4, wholeVerified: 3 });
    expect(requests.countWhole({ event: "income.added" })).toEqual({ rows: 5, whole: 3, wholeVerified: 2 });
    expect(requests.countWhole({ verdict: "failed" })).toEqual({ rows: 2, whole: 1, wholeVerified: 0 });
    expect(requests.countWhole({ event: "nothing.here" })).toEqual({ rows: 0, whole: 0, wholeVerified: 0 });
    // Each figure is what count() gives for the same rows.
    expect(requests.count({ storedWhole: true, verifiedOnly: true })).toBe(3);
  });
});

describe("listReplayable", () => {
  it("gives the rows list() gives, with the fields a replay sends", () => {
    const requests = store();
    for (let n = 0; n < 5; n++) {
      requests.insert(storedRow(randomUUID(), { headers: [["x-pinwheel-webhook-id", `w-${n}`], ["X-Custom", "a"], ["x-custom", "b"]], verification: n === 2 ? "bad_signature" : "verified" }));
    }
    const filter = { verifiedOnly: true, storedWhole: true, ascending: true, afterId: 1, limit: 3 };
    const full = requests.list(filter);
    expect(full.map((row) => row.id)).toEqual([2, 4, 5]);
    expect(requests.listReplayable(filter)).toEqual(
      full.map(({ id, event, eventId, body, headers, verification }) => ({ id, event, eventId, body, headers, verification })),
    );
  });
});
