import { randomUUID } from "node:crypto";
import { describe, expect, it } from "vitest";
import { ReplayError } from "../../src/delivery/replay-error.js";
import { namedRequests, pagedSelection, type Selection } from "../../src/delivery/replay-selection.js";
import { MissingRequestError } from "../../src/store/missing-request.js";
import { requestStore } from "../../src/store/requests.js";
import { storedRow } from "../helpers/stored-requests.js";
import { tempDatabases } from "../helpers/temp-database.js";
import { thrown } from "../helpers/thrown.js";

const newDatabase = tempDatabases("pinwheel-replay-selection-");
/** What a re-signed replay sends unasked: verified requests listen accepted. */
const GENUINE_ONLY = { unverified: false, rejected: false };
/** Everything stored whole (a replay as recorded, or one asked to include both). */
const EVERY_KIND = { unverified: true, rejected: true };

function drained(selection: Selection): number[] {
  const ids: number[] = [];
  for (let request = selection.next(); request; request = selection.next()) ids.push(request.id);
  return ids;
}

describe("named requests", () => {
  it("come in the order named, by row id or event_id, and count the unverified ones sent", () => {
    const store = requestStore(newDatabase());
    const verified = store.insert(storedRow(randomUUID()));
    const forged = store.insert(storedRow(randomUUID(), { verification: "bad_signature", statusCode: 401 }));
    const selection = namedRequests(store, [String(forged.id), verified.eventId!], EVERY_KIND);
    expect(selection).toMatchObject({ planned: 2, unverifiedIncluded: 1 });
    expect(drained(selection)).toEqual([forged.id, verified.id]);
  });

  it("one that is not stored, stored cut short, or not verified when re-signing sends verified ones only refuses them all, with its data", () => {
    const store = requestStore(newDatabase());
    const verified = store.insert(storedRow(randomUUID()));
    const truncated = store.insert(storedRow(randomUUID(), { bodyTruncated: true }));
    const forged = store.insert(storedRow(randomUUID(), { verification: "bad_signature", statusCode: 401 }));
    expect(thrown(() => namedRequests(store, [String(verified.id), "999"], GENUINE_ONLY))).toEqual(new MissingRequestError("999"));
    expect((thrown(() => namedRequests(store, [String(truncated.id)], EVERY_KIND)) as ReplayError).data).toEqual({ kind: "body_truncated", requestId: truncated.id });
    const unverified = thrown(() => namedRequests(store, [String(verified.id), String(forged.id)], GENUINE_ONLY));
    expect((unverified as ReplayError).data).toEqual({ kind: "unverified", requestId: forged.id, verification: "bad_signature" });
    expect((unverified as Error).message).toBe(`request ${forged.id} was not verified when it arrived (bad_signature); re-signing would give it a valid signature`);
  });

  it("an event_id names its newest verified copy when re-signing, not a later copy that failed verification", () => {
    const store = requestStore(newDatabase());
    const eventId = randomUUID();
    const genuine = store.insert(storedRow(eventId));
    // A replay sent as recorded into listen, refused for its old timestamp: the same event_id, stored later.
    const stale = store.insert(storedRow(eventId, { verification: "stale_timestamp", statusCode: 401 }));
    expect(drained(namedRequests(store, [eventId], GENUINE_ONLY))).toEqual([genuine.id]);
    // Sent as they are (or with unverified ones allowed), the newest is the one named, as before.
    expect(drained(namedRequests(store, [eventId], EVERY_KIND))).toEqual([stale.id]);
    // With no verified copy, the refusal names the newest.
    const onlyForged = randomUUID();
    const forged = store.insert(storedRow(onlyForged, { verification: "bad_signature", statusCode: 401 }));
    expect((thrown(() => namedRequests(store, [onlyForged], GENUINE_ONLY)) as ReplayError).data).toMatchObject({ kind: "unverified", requestId: forged.id });
  });
});

describe("requests listen rejected after verifying them (not Pinwheel events)", () => {
  const notJson = { body: Buffer.from("hello"), event: null, eventId: null, statusCode: 400, rejection: "the body is not valid JSON" };

  it("a named one is refused unless they are allowed, whatever is allowed of unverified ones", () => {
    const store = requestStore(newDatabase());
    const verified = store.insert(storedRow(randomUUID()));
    const rejected = store.insert(storedRow(randomUUID(), notJson));
    const refused = thrown(() => namedRequests(store, [String(verified.id), String(rejected.id)], { unverified: true, rejected: false }));
    expect((refused as ReplayError).data).toEqual({ kind: "rejected", requestId: rejected.id, rejection: "the body is not valid JSON" });
    expect((refused as Error).message).toBe(
      `request ${rejected.id} was rejected by listen after its signature verified (it is not a Pinwheel event); re-signing would send it to the app as one`,
    );
    const allowed = namedRequests(store, [String(rejected.id)], { unverified: false, rejected: true });
    expect(allowed).toMatchObject({ planned: 1, rejectedIncluded: 1, unverifiedIncluded: 0 });
    expect(drained(allowed)).toEqual([rejected.id]);
  });

  it("a filter leaves them out and counts them apart from unverified ones; allowed, it sends them in order", () => {
    const store = requestStore(newDatabase());
    const first = store.insert(storedRow(randomUUID()));
    const rejected = store.insert(storedRow(randomUUID(), notJson));
    const forged = store.insert(storedRow(randomUUID(), { verification: "bad_signature", statusCode: 401 }));
    // Under --skip-verify a body that is not JSON is refused too: it is unverified, counted once, as such.
    const skipped = store.insert(storedRow(randomUUID(), { ...notJson, verification: "skipped" }));
    const last = store.insert(storedRow(randomUUID()));
    const genuine = pagedSelection(store, {}, GENUINE_ONLY, false);
    expect(genuine).toMatchObject({ planned: 2, unverifiedLeftOut: 2, rejectedLeftOut: 1, unverifiedIncluded: 0, rejectedIncluded: 0 });
    expect(drained(genuine)).toEqual([first.id, last.id]);
    const withUnverified = pagedSelection(store, {}, { unverified: true, rejected: false }, false);
    expect(withUnverified).toMatchObject({ planned: 4, unverifiedLeftOut: 0, rejectedLeftOut: 1, unverifiedIncluded: 2, rejectedIncluded: 0 });
    expect(drained(withUnverified)).toEqual([first.id, forged.id, skipped.id, last.id]);
    const withRejected = pagedSelection(store, {}, { unverified: false, rejected: true }, false);
    expect(withRejected).toMatchObject({ planned: 3, unverifiedLeftOut: 2, rejectedLeftOut: 0, rejectedIncluded: 1 });
    expect(drained(withRejected)).toEqual([first.id, rejected.id, last.id]);
    expect(drained(pagedSelection(store, {}, EVERY_KIND, false))).toEqual([first.id, rejected.id, forged.id, skipped.id, last.id]);
  });
});

describe("an event_id several stored requests carry", () => {
  it("says which copy is sent and how many others there are; a row id or a lone event_id says nothing", () => {
    const store = requestStore(newDatabase());
    const eventId = randomUUID();
    const genuine = store.insert(storedRow(eventId));
    const retry = store.insert(storedRow(eventId));
    const stale = store.insert(storedRow(eventId, { verification: "stale_timestamp", statusCode: 401 }));
    const lone = store.insert(storedRow(randomUUID()));
    expect(namedRequests(store, [eventId], GENUINE_ONLY).eventIdChoices).toEqual([{ eventId, requestId: retry.id, verifiedFirst: true, others: 2 }]);
    expect(namedRequests(store, [eventId], EVERY_KIND).eventIdChoices).toEqual([{ eventId, requestId: stale.id, verifiedFirst: false, others: 2 }]);
    expect(namedRequests(store, [String(genuine.id), lone.eventId!], GENUINE_ONLY).eventIdChoices).toEqual([]);
  });
});

describe("a filter's selection", () => {
  it("sends what is stored whole, oldest first, and counts what it leaves out and why", () => {
    const store = requestStore(newDatabase());
    const first = store.insert(storedRow(randomUUID()));
    store.insert(storedRow(randomUUID(), { bodyTruncated: true }));
    const forged = store.insert(storedRow(randomUUID(), { verification: "bad_signature", statusCode: 401 }));
    const last = store.insert(storedRow(randomUUID()));
    const verifiedOnly = pagedSelection(store, {}, GENUINE_ONLY, false);
    expect(verifiedOnly).toMatchObject({ planned: 2, truncated: 1, unverifiedLeftOut: 1, unverifiedIncluded: 0 });
    expect(drained(verifiedOnly)).toEqual([first.id, last.id]);
    const all = pagedSelection(store, {}, EVERY_KIND, false);
    expect(all).toMatchObject({ planned: 3, truncated: 1, unverifiedLeftOut: 0, unverifiedIncluded: 1 });
    expect(drained(all)).toEqual([first.id, forged.id, last.id]);
    expect(pagedSelection(store, { event: "paystubs.added" }, GENUINE_ONLY, false)).toMatchObject({ planned: 0 });
  });
});
