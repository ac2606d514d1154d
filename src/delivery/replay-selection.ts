import { findRequest } from "../store/missing-request.js";
import { notVerified, rejectedAfterVerification, type ReplayableRequest, type RequestFilter, type RequestStore } from "../store/requests.js";
import { ReplayError, replayRefusal, type ReplayAllowance } from "./replay-error.js";

/** Rows read from the store at a time: replaying a million stored requests never holds them all. */
const PAGE_ROWS = 500;

/** An event_id that several stored requests carry, and the one a replay named by it sends. */
export interface EventIdChoice {
  eventId: string;
  /** The row sent: the newest copy, or the newest verified one when `verifiedFirst`. */
  requestId: number;
  verifiedFirst: boolean;
  /** The other stored requests with this event_id, which the replay does not send. */
  others: number;
}

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
  /** Requests a filter selected but left out: listen rejected them after verification (not Pinwheel events), and they were not asked for. */
  rejectedLeftOut?: number;
  /** Planned requests listen rejected after verification (sent because the replay was asked to include them). */
  rejectedIncluded: number;
  /** Event_ids named that more than one stored request carries: which copy is sent. */
  eventIdChoices?: EventIdChoice[];
  next(): ReplayableRequest | undefined;
}

/**
 * The filter's rows, oldest first, a page at a time. Only rows stored before the replay began:
 * replaying into a listen that stores into the same file must not replay its own replays.
 * `allowed` says what is sent besides verified requests listen accepted (everything, as recorded).
 */
export function pagedSelection(store: RequestStore, filter: RequestFilter, allowed: ReplayAllowance, withHeaders: boolean): Selection {
  const newest = store.list({ ...filter, limit: 1 })[0];
  if (!newest) return { planned: 0, truncated: 0, unverifiedIncluded: 0, rejectedIncluded: 0, next: () => undefined };
  const bounded: RequestFilter = { ...filter, beforeId: newest.id + 1 };
  const whole: RequestFilter = { ...bounded, storedWhole: true, verifiedOnly: !allowed.unverified, withoutRejected: !allowed.rejected };
  // One scan counts what is sent, what is left out and why (four counts scanned the rows four times).
  const counts = store.countWhole(bounded);
  const unverified = counts.whole - counts.wholeVerified;
  const rejected = counts.wholeVerifiedRejected;
  let page: ReplayableRequest[] = [];
  let index = 0;
  let afterId: number | undefined;
  let exhausted = false;
  return {
    planned: counts.whole - (allowed.unverified ? 0 : unverified) - (allowed.rejected ? 0 : rejected),
    truncated: counts.rows - counts.whole,
    unverifiedLeftOut: allowed.unverified ? 0 : unverified,
    unverifiedIncluded: allowed.unverified ? unverified : 0,
    rejectedLeftOut: allowed.rejected ? 0 : rejected,
    rejectedIncluded: allowed.rejected ? rejected : 0,
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
export function namedRequests(store: RequestStore, references: string[], allowed: ReplayAllowance): Selection {
  // Re-signing sends verified requests only: an event_id names its verified copy, not a later refused replay of it.
  const verifiedFirst = !allowed.unverified;
  const eventIdChoices: EventIdChoice[] = [];
  const requests = references.map((reference) => {
    const request = findRequest(store, reference, verifiedFirst);
    const refusal = replayRefusal(request, allowed);
    if (refusal) throw new ReplayError(refusal);
    // Digits name a row (see RequestStore.find); anything else an event_id, which copies share.
    if (!/^\d+$/.test(reference)) {
      const others = store.countWithEventId(reference) - 1;
      if (others > 0) eventIdChoices.push({ eventId: reference, requestId: request.id, verifiedFirst, others });
    }
    return request;
  });
  let index = 0;
  return {
    planned: requests.length,
    unverifiedIncluded: requests.filter(notVerified).length,
    rejectedIncluded: requests.filter(rejectedAfterVerification).length,
    eventIdChoices,
    next: () => requests[index++],
  };
}
