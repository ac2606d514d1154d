import type { ListedRequest, RequestFilter, RequestStore } from "../store/requests.js";
import { monotonicMs } from "../monotonic.js";

export interface ListQuery {
  event?: string;
  verdict?: string;
  text?: string;
  /** Only requests older (smaller id) than this: the cursor of the next page. */
  beforeId?: number;
  /** Only requests newer (larger id) than this: the page's check of live rows a text may match in their body. */
  afterId?: number;
  limit: number;
}

export interface ListPage {
  requests: ListedRequest[];
  /** The cursor for older rows; null when there are none. */
  nextBefore: number | null;
  /**
   * A text search stopped for time before it filled the page: it searched every row above this id.
   * The page asks again with beforeId set to it to search further.
   */
  searchedDownTo: number | null;
}

/**
 * Rows the first step of a text search reads, and the most any step reads. A row costs what its
 * body weighs (1 MiB bodies, which anyone who reaches the port can store, made a first step of
 * 5,000 rows hold the event loop, and the webhooks behind it, for most of a second), so a search
 * starts small and reads four times as many rows a step while a step takes little of its budget.
 */
export const TEXT_FIRST_CHUNK_ROWS = 64;
export const TEXT_CHUNK_ROWS = 5_000;
/** A text search answers within about this much time, so webhooks are not held up behind it. */
export const TEXT_BUDGET_MS = 40;

/**
 * One page of the list, newest first. Without text every filter is served by an index, so a
 * page costs the same on the 10th row as on the 100,000th. A text search reads the rows in
 * chunks until the page is full or its time budget is spent, then tells where it stopped.
 */
export function listPage(store: RequestStore, query: ListQuery, now: () => number = monotonicMs): ListPage {
  const base: RequestFilter = { event: query.event, verdict: query.verdict, afterId: query.afterId };
  if (!query.text) {
    const rows = store.list({ ...base, beforeId: query.beforeId, limit: query.limit + 1 });
    const more = rows.length > query.limit;
    const requests = more ? rows.slice(0, query.limit) : rows;
    return { requests, nextBefore: more ? (requests.at(-1)?.id ?? null) : null, searchedDownTo: null };
  }
  const started = now();
  const found: ListedRequest[] = [];
  let beforeId = query.beforeId;
  let chunkRows = TEXT_FIRST_CHUNK_ROWS;
  for (;;) {
    const chunkStarted = now();
    const filter: RequestFilter = { ...base, beforeId, text: query.text, textScanLimit: chunkRows };
    const window = store.textScanWindow(filter);
    if (window.lastId === null) return { requests: found, nextBefore: null, searchedDownTo: null };
    found.push(...store.list({ ...filter, limit: query.limit - found.length }));
    if (found.length >= query.limit) return { requests: found, nextBefore: found.at(-1)?.id ?? null, searchedDownTo: null };
    if (window.scanned < chunkRows) return { requests: found, nextBefore: null, searchedDownTo: null };
    beforeId = window.lastId;
    const finished = now();
    const chunkMs = finished - chunkStarted;
    const elapsed = finished - started;
    // Stop before a chunk as slow as the last one would overrun the budget.
    if (elapsed + chunkMs > TEXT_BUDGET_MS) return { requests: found, nextBefore: beforeId, searchedDownTo: beforeId };
    if (chunkMs * 4 <= TEXT_BUDGET_MS - elapsed) chunkRows = Math.min(chunkRows * 4, TEXT_CHUNK_ROWS);
  }
}
