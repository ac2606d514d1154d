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
    const selection = namedRequests(store, [String(forged.id), verified.eventId!], false);
    expect(selection).toMatchObject({ planned: 2, unverifiedIncluded: 1 });
    expect(drained(selection)).toEqual([forged.id, verified.id]);
  });

  it("one that is not stored, stored cut short, or not verified when re-signing sends verified ones only refuses them all, with its data", () => {
    const store = requestStore(newDatabase());
    const verified = store.insert(storedRow(randomUUID()));
    const truncated = store.insert(storedRow(randomUUID(), { bodyTruncated: true }));
    const forged = store.insert(storedRow(randomUUID(), { verification: "bad_signature", statusCode: 401 }));
    expect(thrown(() => namedRequests(store, [String(verified.id), "999"], true))).toEqual(new MissingRequestError("999"));
    expect((thrown(() => namedRequests(store, [String(truncated.id)], false)) as ReplayError).data).toEqual({ kind: "body_truncated", requestId: truncated.id });
    const unverified = thrown(() => namedRequests(store, [String(verified.id), String(forged.id)], true));
    expect((unverified as ReplayError).data).toEqual({ kind: "unverified", requestId: forged.id, verification: "bad_signature" });
    expect((unverified as Error).message).toBe(`request ${forged.id} was not verified when it arrived (bad_signature); re-signing would give it a valid signature`);
  });

  it("an event_id names its newest verified copy when re-signing, not a later copy that failed verification", () => {
    const store = requestStore(newDatabase());
    const eventId = randomUUID();
    const genuine = store.insert(storedRow(eventId));
    // A replay sent as recorded into listen, refused for its old timestamp: the same event_id, stored later.
    const stale = store.insert(storedRow(eventId, { verification: "stale_timestamp", statusCode: 401 }));
    expect(drained(namedRequests(store, [eventId], true))).toEqual([genuine.id]);
    // Sent as they are (or with unverified ones allowed), the newest is the one named, as before.
    expect(drained(namedRequests(store, [eventId], false))).toEqual([stale.id]);
    // With no verified copy, the refusal names the newest.
    const onlyForged = randomUUID();
    const forged = store.insert(storedRow(onlyForged, { verification: "bad_signature", statusCode: 401 }));
    expect((thrown(() => namedRequests(store, [onlyForged], true)) as ReplayError).data).toMatchObject({ kind: "unverified", requestId: forged.id });
  });
});

describe("a filter's selection", () => {
  it("sends what is stored whole, oldest first, and counts what it leaves out and why", () => {
    const store = requestStore(newDatabase());
    const first = store.insert(storedRow(randomUUID()));
    store.insert(storedRow(randomUUID(), { bodyTruncated: true }));
    const forged = store.insert(storedRow(randomUUID(), { verification: "bad_signature", statusCode: 401 }));
    const last = store.insert(storedRow(randomUUID()));
    const verifiedOnly = pagedSelection(store, {}, true, false);
    expect(verifiedOnly).toMatchObject({ planned: 2, truncated: 1, unverifiedLeftOut: 1, unverifiedIncluded: 0 });
    expect(drained(verifiedOnly)).toEqual([first.id, last.id]);
    const all = pagedSelection(store, {}, false, false);
    expect(all).toMatchObject({ planned: 3, truncated: 1, unverifiedLeftOut: 0, unverifiedIncluded: 1 });
    expect(drained(all)).toEqual([first.id, forged.id, last.id]);
    expect(pagedSelection(store, { event: "paystubs.added" }, true, false)).toMatchObject({ planned: 0 });
  });
});
