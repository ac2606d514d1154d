import type { ListedRequest, RequestStore } from "../store/requests.js";

/** Rows read a poll at most: a backlog past it waits for the next poll. */
const ROWS_A_POLL = 1000;
/** Other processes' rows published a poll at most, as a reconnecting page's catch-up (api-routes.ts). */
const UNSEEN_TO_PUBLISH = 200;

/**
 * Rows that other processes store in the same file (a second listen, `simulate --sandbox` through
 * another listen) reach open pages too: this process publishes its own rows as it stores them,
 * and while a page is open a poll reads the rows after the last one seen and publishes those it
 * did not. Row ids only grow and writers take turns, so every row at or below the last id read
 * has been seen.
 */
export class StoreFollower {
  /** Every row up to this id has been published or read; undefined while no page is open. */
  private seenUpTo: number | undefined;
  /** Rows above seenUpTo already published by this process. */
  private readonly published = new Set<number>();
  /** The store's deletedUpTo() when last looked: `events prune` moves it. */
  private pruneMark = 0;
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly requests: RequestStore,
    private readonly publish: (row: ListedRequest) => void,
    /** The rows pages show may be gone (events prune): they reload their list. */
    private readonly reset: () => void,
    private readonly hasPages: () => boolean,
    private readonly intervalMs = 1000,
  ) {}

  /** A page's stream opened having been sent every row up to `upTo` (undefined: it asked for none, so it starts at the newest). */
  opened(upTo: number | undefined): void {
    const from = upTo ?? this.requests.list({ limit: 1 })[0]?.id ?? 0;
    if (this.seenUpTo === undefined) this.pruneMark = this.requests.deletedUpTo();
    if (this.seenUpTo === undefined || from < this.seenUpTo) this.seenUpTo = from;
    if (this.timer === undefined) {
      this.timer = setInterval(() => this.poll(), this.intervalMs);
      this.timer.unref();
    }
  }

  /** This process published a row it stored. */
  publishedOwn(id: number): void {
    if (this.seenUpTo !== undefined && id > this.seenUpTo) this.published.add(id);
  }

  poll(): void {
    if (!this.hasPages()) return this.stop();
    if (this.seenUpTo === undefined) return;
    const pruneMark = this.requests.deletedUpTo();
    if (pruneMark !== this.pruneMark) {
      // `events prune` deleted rows the pages may show: they reload their list. New rows are
      // numbered past every deleted one, so following goes on from the last row seen.
      this.pruneMark = pruneMark;
      this.reset();
    }
    const rows = this.requests.list({ afterId: this.seenUpTo, ascending: true, limit: ROWS_A_POLL });
    if (rows.length === 0) {
      // Ids below the last seen come again once the newest rows were deleted other than by
      // `events prune` (an older build's prune, or SQL): new rows would hide under the pages'
      // newest, so the pages start over.
      const newest = this.requests.list({ limit: 1 })[0]?.id ?? 0;
      if (newest < this.seenUpTo) {
        this.seenUpTo = newest;
        this.published.clear();
        this.reset();
      }
      return;
    }
    const unseen = rows.filter((row) => !this.published.has(row.id));
    this.seenUpTo = rows[rows.length - 1]?.id ?? this.seenUpTo;
    for (const id of this.published) if (id <= this.seenUpTo) this.published.delete(id);
    // More than a page can take over its stream at once (it would be dropped past the stream's
    // buffer bound): the pages reload their list instead, as a reconnect that missed as many does.
    if (unseen.length > UNSEEN_TO_PUBLISH) return this.reset();
    for (const row of unseen) this.publish(row);
  }

  stop(): void {
    clearInterval(this.timer);
    this.timer = undefined;
    this.seenUpTo = undefined;
    this.published.clear();
  }
}
