import { mkdtempSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { NumberedAttempt } from "../../src/delivery/deliver.js";
import { attemptRecorder, AttemptsShedError, stagedAttemptRecorder, type AttemptRecorder } from "../../src/delivery/recorder.js";
import { openDatabase, type Db } from "../../src/store/database.js";
import { deliveryStore } from "../../src/store/deliveries.js";

let dir: string;
let db: Db;

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), "pinwheel-recorder-"));
  db = openDatabase(join(dir, "events.db"));
});
afterEach(() => {
  if (db.open) db.close();
  rmSync(dir, { recursive: true, force: true });
});

function attempt(number: number, fields: Partial<NumberedAttempt> = {}): NumberedAttempt {
  return {
    url: "http://127.0.0.1:9/hooks",
    startedAt: new Date(Date.UTC(2026, 0, 1, 0, 0, number)).toISOString(),
    durationMs: 12.3456,
    statusCode: 500,
    responseBody: '{"error":"boom"}',
    attempt: number,
    ok: false,
    ...fields,
  };
}

const recorders: [string, (bound?: number) => AttemptRecorder][] = [
  ["attemptRecorder (the caller's connection)", (bound) => attemptRecorder(db, undefined, bound)],
  ["stagedAttemptRecorder (a run's own connection, through a staging table)", (bound) => stagedAttemptRecorder(db, bound)],
];

describe.each(recorders)("%s", (_name, open) => {
  const opened: AttemptRecorder[] = [];
  const newRecorder = (bound?: number) => {
    const recorder = open(bound);
    opened.push(recorder);
    return recorder;
  };
  afterEach(async () => {
    await Promise.allSettled(opened.splice(0).map((recorder) => recorder.close()));
  });

  it("stores every attempt of a delivery in the deliveries table once flushed", async () => {
    const recorder = newRecorder();
    const context = { deliveryId: "d-1", source: "simulate" as const, event: "income.added", eventId: "e-1", webhookId: "w-1" };
    recorder.record(context, attempt(1));
    recorder.record(context, attempt(2, { statusCode: undefined, errorKind: "timeout", error: "no answer within 200 ms", responseBody: undefined }));
    recorder.record(context, attempt(3, { statusCode: 200, ok: true, responseBody: "ok" }));
    await recorder.flush();

    const rows = deliveryStore(db).list({ eventId: "e-1" });
    expect(rows.map((row) => [row.attempt, row.statusCode, row.error, row.responseBody])).toEqual([
      [3, 200, null, "ok"],
      [2, null, "no answer within 200 ms", null],
      [1, 500, null, '{"error":"boom"}'],
    ]);
    for (const row of rows) {
      expect(row).toMatchObject({
        deliveryId: "d-1",
        source: "simulate",
        event: "income.added",
        eventId: "e-1",
        webhookId: "w-1",
        requestId: null,
        url: "http://127.0.0.1:9/hooks",
        durationMs: 12.35,
      });
    }
    expect(rows[2]!.startedAt).toBe("2026-01-01T00:00:01.000Z");
  });

  it("keeps the stored request a replay came from", async () => {
    const recorder = newRecorder();
    recorder.record({ deliveryId: "d-2", source: "replay", event: null, eventId: null, requestId: 42 }, attempt(1, { statusCode: 200, ok: true }));
    await recorder.flush();
    expect(deliveryStore(db).list({ requestId: 42 })).toEqual([expect.objectContaining({ source: "replay", requestId: 42, event: null })]);
  });

  it("flush reports a write that failed", async () => {
    const recorder = newRecorder();
    db.exec("DROP TABLE deliveries");
    recorder.record({ deliveryId: "d-3", source: "smoke", event: "a", eventId: "b" }, attempt(1));
    await expect(recorder.flush()).rejects.toThrow(/deliveries/);
  });

  it("does not make a failed write sticky: once the table is back, the next batch is written", async () => {
    const recorder = newRecorder();
    const table = db.prepare("SELECT sql FROM sqlite_master WHERE name = 'deliveries'").pluck().get() as string;
    db.exec("DROP TABLE deliveries");
    recorder.record({ deliveryId: "d-7", source: "simulate", event: "a", eventId: "e-7" }, attempt(1));
    await expect(recorder.flush()).rejects.toThrow(/deliveries/);
    db.exec(table);
    recorder.record({ deliveryId: "d-8", source: "simulate", event: "a", eventId: "e-8" }, attempt(2));
    await recorder.flush();
    expect(deliveryStore(db).list().map((row) => [row.deliveryId, row.attempt])).toEqual([["d-8", 2]]);
  });

  it("holds at most its bound of rows waiting: the rest are shed, counted, and flush says how many", async () => {
    const recorder = newRecorder(4);
    const context = { deliveryId: "d-4", source: "simulate" as const, event: "income.added", eventId: "e-4" };
    // One tick: nothing is written yet, so rows 5 to 7 find the queue at its bound.
    for (let n = 1; n <= 7; n++) recorder.record(context, attempt(n));
    expect(recorder.shed).toBe(3);
    const error = await recorder.flush().then(
      () => undefined,
      (failure: unknown) => failure,
    );
    expect(error).toBeInstanceOf(AttemptsShedError);
    expect((error as AttemptsShedError).message).toBe("3 delivery attempt(s) were not recorded: 4 were already waiting to be written to the attempt log");
    expect(deliveryStore(db).list({ eventId: "e-4" }).map((row) => row.attempt)).toEqual([4, 3, 2, 1]);
    // Written, the queue has room again: nothing more is shed, and the next flush has nothing to report.
    recorder.record(context, attempt(8));
    await recorder.flush();
    expect(recorder.shed).toBe(3);
    expect(deliveryStore(db).list({ eventId: "e-4" })).toHaveLength(5);
  });

  it("is full at half its bound, and room() writes what waits so a run can go on without shedding", async () => {
    const recorder = newRecorder(4);
    const context = { deliveryId: "d-5", source: "replay" as const, event: null, eventId: "e-5" };
    recorder.record(context, attempt(1));
    expect(recorder.full).toBe(false);
    recorder.record(context, attempt(2));
    expect(recorder.full).toBe(true);
    await recorder.room();
    expect(recorder.full).toBe(false);
    expect(recorder.shed).toBe(0);
    expect(deliveryStore(db).list({ eventId: "e-5" })).toHaveLength(2);
  });
});

describe("attemptRecorder with onError (listen's forwarder)", () => {
  it("reports shedding once, as it starts, and never rejects a flush for it", async () => {
    const reported: unknown[] = [];
    const recorder = attemptRecorder(db, (error) => reported.push(error), 2);
    const context = { deliveryId: "d-6", source: "forward" as const, event: "income.added", eventId: "e-6" };
    for (let n = 1; n <= 5; n++) recorder.record(context, attempt(n));
    await recorder.close();
    expect(recorder.shed).toBe(3);
    expect(reported).toHaveLength(1);
    expect((reported[0] as Error).message).toBe("delivery attempts are being shed, not recorded: 2 were already waiting to be written to the attempt log");
    expect(deliveryStore(db).list({ eventId: "e-6" })).toHaveLength(2);
  });
});

describe("stagedAttemptRecorder", () => {
  it("records a run's thousands of attempts, all committed by close(), and leaves no staging table", async () => {
    const recorder = stagedAttemptRecorder(db);
    for (let n = 1; n <= 3000; n++) {
      recorder.record({ deliveryId: `d-${n}`, source: "simulate", event: "income.added", eventId: `e-${n % 7}` }, attempt(1, { statusCode: 200, ok: true }));
      if (n % 500 === 0) await new Promise((resolve) => setTimeout(resolve, 1));
    }
    await recorder.close();
    expect(db.prepare("SELECT count(*) FROM deliveries").pluck().get()).toBe(3000);
    expect(db.prepare("SELECT count(DISTINCT delivery_id) FROM deliveries").pluck().get()).toBe(3000);
    expect(db.prepare("SELECT count(*) FROM temp.sqlite_master").pluck().get()).toBe(0);
  });

  it("stages the attempts of one turn of the event loop together once its callbacks have run: record() itself runs no SQL", async () => {
    const recorder = stagedAttemptRecorder(db, 4);
    const staging = db.prepare<[], { name: string }>("SELECT name FROM temp.sqlite_master WHERE type = 'table'").get()?.name;
    const staged = () => db.prepare(`SELECT count(*) FROM temp.${staging}`).pluck().get();
    for (let n = 1; n <= 3; n++) recorder.record({ deliveryId: `d-${n}`, source: "simulate", event: "a", eventId: "e" }, attempt(1));
    expect(staged()).toBe(0);
    // Not staged yet, they count against the bound all the same: full at half of it.
    expect(recorder.full).toBe(true);
    await new Promise((resolve) => setImmediate(resolve));
    expect(staged()).toBe(3);
    expect(db.prepare("SELECT count(*) FROM main.deliveries").pluck().get()).toBe(0);
    recorder.record({ deliveryId: "d-4", source: "simulate", event: "a", eventId: "e" }, attempt(1));
    // A flush does not wait for the turn: what is held is written with what is staged.
    await recorder.flush();
    expect(db.prepare("SELECT delivery_id FROM main.deliveries ORDER BY id").pluck().all()).toEqual(["d-1", "d-2", "d-3", "d-4"]);
    await recorder.close();
  });

  it("holds the file's write lock only while it moves a batch: another connection writes between batches", async () => {
    const other = openDatabase(join(dir, "events.db"), { busyTimeoutMs: 0 });
    try {
      const recorder = stagedAttemptRecorder(db);
      recorder.record({ deliveryId: "d-1", source: "simulate", event: "income.added", eventId: "e-1" }, attempt(1));
      // Staged, not yet moved: a writer with no patience at all is not kept waiting.
      other.prepare("INSERT INTO deliveries (delivery_id, source, url, attempt, started_at, duration_ms) VALUES ('x', 'forward', 'u', 1, 't', 0)").run();
      await recorder.close();
      expect(db.prepare("SELECT count(*) FROM deliveries").pluck().get()).toBe(2);
    } finally {
      other.close();
    }
  });

  it("commits a run's attempts with synchronous=NORMAL and keeps the staged rows off the file until they move", async () => {
    const recorder = stagedAttemptRecorder(db);
    recorder.record({ deliveryId: "d-1", source: "simulate", event: "a", eventId: "e" }, attempt(1));
    // Staged once the turn is over; still not on the file until the next move.
    await new Promise((resolve) => setImmediate(resolve));
    expect(db.pragma("synchronous", { simple: true })).toBe(1);
    expect(db.pragma("temp_store", { simple: true })).toBe(2);
    expect(db.prepare("SELECT count(*) FROM main.deliveries").pluck().get()).toBe(0);
    await recorder.close();
    expect(db.prepare("SELECT count(*) FROM main.deliveries").pluck().get()).toBe(1);
  });

  it("keeps the WAL in check through a long run with no listen checkpointing the file", async () => {
    const path = join(dir, "events.db");
    const recorder = stagedAttemptRecorder(db);
    const long = "x".repeat(400);
    let largest = 0;
    for (let flush = 0; flush < 30; flush++) {
      for (let n = 0; n < 2000; n++) {
        recorder.record({ deliveryId: `d-${flush}-${n}`, source: "simulate", event: "income.added", eventId: "e" }, attempt(1, { responseBody: long }));
      }
      await recorder.flush();
      largest = Math.max(largest, statSync(`${path}-wal`).size);
    }
    await recorder.close();
    expect(db.prepare("SELECT count(*) FROM deliveries").pluck().get()).toBe(60_000);
    // 60,000 rows of about 600 bytes: without checkpoints the WAL would hold them all (35+ MB).
    expect(largest).toBeLessThan(12 * 1024 * 1024);
  }, 60_000);
});
