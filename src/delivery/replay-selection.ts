import { findRequest } from "../store/missing-request.js";
import { notVerified, type ReplayableRequest, type RequestFilter, type RequestStore } from "../store/requests.js";
import { ReplayError, replayRefusal } from "./replay-error.js";

/** Rows read from the store at a time: replaying a million stored requests never holds them all. */
const PAGE_ROWS = 500;

/** The stored requests a replay sends, read one at a time, and what it left out. */
export interface Selection {
  /** Requests to send. */
  planned: number;
  /** Requests a filter selected but left out: their body was over 1 MiB and is not stored whole. */
  truncated?: number;
  /** Requests a filter selected but left out: they were not verified (and re-signing was to send verified ones only). */
  unverifiedLeftOut?: number;
  /** Planned requests that were not verified when they arrived (sent because the replay was asked to include them). */
  unverifiedIncluded: number;
  next(): ReplayableRequest | undefined;
}

/**
 * The filter's rows, oldest first, a page at a time. Only rows stored before the replay began:
 * replaying into a listen that stores into the same file must not replay its own replays.
 */
export function pagedSelection(store: RequestStore, filter: RequestFilter, verifiedOnly: boolean, withHeaders: boolean): Selection {
  const newest = store.list({ ...filter, limit: 1 })[0];
  if (!newest) return { planned: 0, truncated: 0, unverifiedIncluded: 0, next: () => undefined };
  const bounded: RequestFilter = { ...filter, beforeId: newest.id + 1 };
  const whole: RequestFilter = { ...bounded, storedWhole: true, verifiedOnly };
  // One scan counts what is sent, what is left out and why (four counts scanned the rows four times).
  const counts = store.countWhole(bounded);
  const unverified = counts.whole - counts.wholeVerified;
  let page: ReplayableRequest[] = [];
  let index = 0;
  let afterId: number | undefined;
  let exhausted = false;
  return {
    planned: verifiedOnly ? counts.wholeVerified : counts.whole,
    truncated: counts.rows - counts.whole,
    unverifiedLeftOut: verifiedOnly ? unverified : 0,
    unverifiedIncluded: verifiedOnly ? 0 : unverified,
    next() {
      if (index === page.length) {
        if (exhausted) return undefined;
        page = store.listReplayable({ ...whole, ascending: true, afterId, limit: PAGE_ROWS }, withHeaders);
        index = 0;
        exhausted = page.length < PAGE_ROWS;
        const last = page.at(-1);
        if (!last) return undefined;
        afterId = last.id;
      }
      return page[index++];
    },
  };
}

/** The requests named by row id or event_id, in the order named; one that cannot be replayed refuses them all. */
export function namedRequests(store: RequestStore, references: string[], verifiedOnly: boolean): Selection {
  const requests = references.map((reference) => {
    // Re-signing sends verified requests only: an event_id names its verified copy, not a later refused replay of it.
    const request = findRequest(store, reference, verifiedOnly);
    const refusal = replayRefusal(request, !verifiedOnly);
    if (refusal) throw new ReplayError(refusal);
    return request;
  });
  let index = 0;
  return { planned: requests.length, unverifiedIncluded: requests.filter(notVerified).length, next: () => requests[index++] };
}
