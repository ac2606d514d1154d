/**
 * Paging a big store: 100,000 rows inserted directly, then paged newest first, filtered and
 * searched, in-process and over real HTTP. How long a page takes is measured by bench/bounds.js,
 * not asserted here, where a loaded machine would fail it.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { RequestSummary } from "../../src/inspector/index.js";
import { listPage, TEXT_BUDGET_MS, TEXT_FIRST_CHUNK_ROWS, type ListQuery } from "../../src/inspector/listing.js";
import { requestStore, type RequestStore } from "../../src/store/requests.js";
import { call, startInspected, withToken, type Inspected } from "./harness.js";
import { SEED_EVENTS, seedRequests } from "./seed.js";

const ROWS = 100_000;

let inspected: Inspected;
let store: RequestStore;

beforeAll(async () => {
  inspected = await startInspected();
  seedRequests(inspected.db, ROWS);
  store = requestStore(inspected.db);
}, 60_000);
afterAll(() => inspected?.close());

/** Each reading `stepMs` later than the one before. */
function steppingClock(stepMs: number): () => number {
  let now = 0;
  return () => (now += stepMs);
}

function paged(query: ListQuery): { page: ReturnType<typeof listPage> } {
  return { page: listPage(store, query) };
}

describe("paging 100,000 stored requests", () => {
  it("walks newest first without gaps or overlaps", () => {
    let before: number | undefined;
    const seen: number[] = [];
    for (let page = 0; page < 3; page++) {
      const { page: answer } = paged({ beforeId: before, limit: 50 });
      seen.push(...answer.requests.map((request) => request.id));
      before = answer.nextBefore ?? undefined;
    }
    expect(seen).toEqual(Array.from({ length: 150 }, (_, index) => ROWS - index));

    const deep = paged({ beforeId: 120, limit: 50 });
    expect(deep.page.requests.map((request) => request.id)).toEqual(Array.from({ length: 50 }, (_, index) => 119 - index));
    const last = paged({ beforeId: 30, limit: 50 });
    expect(last.page.requests).toHaveLength(29);
    expect(last.page.nextBefore).toBeNull();
  });

  it("filters by event and verdict through the indexes, deep in the store too", () => {
    const event = paged({ event: "income.added", beforeId: 40_000, limit: 50 });
    expect(event.page.requests).toHaveLength(50);
    for (const request of event.page.requests) {
      expect(request.event).toBe("income.added");
      expect(request.id).toBeLessThan(40_000);
      expect(SEED_EVENTS[request.id % 5]).toBe("income.added");
    }

    const failed = paged({ verdict: "failed", limit: 50 });
    expect(failed.page.requests.every((request) => request.verification !== "verified")).toBe(true);
    const failedDeep = paged({ verdict: "failed", beforeId: 5_000, limit: 50 });
    // Below 5,000: 4,950 (forged, every 50th), then 4,947 (stale, 97 * 51), then 4,900.
    expect(failedDeep.page.requests.slice(0, 3).map((request) => request.id)).toEqual([4_950, 4_947, 4_900]);

    const stale = paged({ verdict: "stale_timestamp", event: "paystubs.added", limit: 50 });
    expect(stale.page.requests.every((request) => request.verification === "stale_timestamp" && request.event === "paystubs.added")).toBe(true);
  });

  it("searches text in bounded slices: each answer stops when its time budget is spent and says where", () => {
    const recent = paged({ text: "ACCT-99990", limit: 50 });
    expect(recent.page.requests.map((request) => request.id)).toEqual([99_990]);

    // Row 12,345 is 87,000 rows deep: found after several answers, each of which stops when its
    // time budget is spent. A clock that moves an eighth of the budget per reading makes every
    // answer spend it on exactly four chunks, whatever the machine's load: 64 rows, then (each
    // cheap) 256 and 1,024, then 1,024 again (the budget left no longer covers four times as many).
    const perAnswer = TEXT_FIRST_CHUNK_ROWS * (1 + 4 + 16 + 16);
    const found: number[] = [];
    let before: number | undefined;
    let answers = 0;
    for (;;) {
      const answer = listPage(store, { text: "acct-12345", beforeId: before, limit: 50 }, steppingClock(TEXT_BUDGET_MS / 8));
      found.push(...answer.requests.map((request) => request.id));
      answers++;
      if (answer.nextBefore === null) break;
      expect(answer.searchedDownTo).toBe(answer.nextBefore);
      expect(answer.searchedDownTo, `answer ${answers}`).toBe((before ?? ROWS + 1) - perAnswer);
      before = answer.nextBefore;
      expect(answers).toBeLessThan(100);
    }
    expect(found).toEqual([12_345]);
    expect(answers).toBeGreaterThan(1);
  });

  it("reads a store whose rows are slow to search (large bodies) in small steps: the first answer stops after its first 64 rows", () => {
    const answer = listPage(store, { text: "never-stored-text", limit: 50 }, steppingClock(TEXT_BUDGET_MS));
    expect(answer.requests).toEqual([]);
    expect(answer.searchedDownTo).toBe(ROWS + 1 - TEXT_FIRST_CHUNK_ROWS);
  });

  it("searches only between the ids given, as the page checks live rows a text may match in their body", async () => {
    // acct-9999 is in rows 9,999 and 99,990-99,999: the page asks about 99,981-99,994.
    const window = listPage(store, { text: "acct-9999", afterId: 99_980, beforeId: 99_995, limit: 50 });
    expect(window.requests.map((request) => request.id)).toEqual([99_994, 99_993, 99_992, 99_991, 99_990]);
    expect(window.nextBefore).toBeNull();
    const answer = await call(`${inspected.page}api/requests?limit=50&q=acct-9999&after=99980&before=99995`, { headers: withToken(inspected) });
    const page = answer.json<{ requests: RequestSummary[]; total: number | null; newest_id: number | null }>();
    expect(page.requests.map((request) => request.id)).toEqual([99_994, 99_993, 99_992, 99_991, 99_990]);
    expect(page).toMatchObject({ total: null, newest_id: null });
    expect((await call(`${inspected.page}api/requests?after=-1`, { headers: withToken(inspected) })).status).toBe(400);
  });

  it("serves pages over HTTP with the total on the first one", async () => {
    const first = await call(`${inspected.page}api/requests?limit=50`, { headers: withToken(inspected) });
    const page = first.json<{ requests: RequestSummary[]; next_before: number; total: number }>();
    expect(page.total).toBe(ROWS);
    expect(page.requests).toHaveLength(50);
    expect(page.next_before).toBe(ROWS - 49);
    const second = (
      await call(`${inspected.page}api/requests?limit=50&before=${page.next_before}&verdict=bad_signature`, { headers: withToken(inspected) })
    ).json<{ requests: RequestSummary[]; total: number | null }>();
    expect(second.total).toBeNull();
    expect(second.requests[0]).toMatchObject({ id: 99_950, verification: "bad_signature", verification_detail: "signature does not match the body and timestamp" });
    const duplicate = (await call(`${inspected.page}api/requests/${211 * 3 + 5}`, { headers: withToken(inspected) })).json<RequestSummary>();
    expect(duplicate.duplicate).toBe(true);
    expect((await call(`${inspected.page}api/requests?limit=500`, { headers: withToken(inspected) })).status).toBe(400);
    expect((await call(`${inspected.page}api/requests?before=abc`, { headers: withToken(inspected) })).status).toBe(400);
  });
});
