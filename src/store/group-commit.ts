import type { Committer } from "./commit-worker.js";
import type { Db } from "./database.js";

interface Pending<T, R> {
  item: T;
  resolve(result: R): void;
  reject(error: unknown): void;
}

function isBusy(error: unknown): boolean {
  const code = (error as { code?: unknown }).code;
  return typeof code === "string" && (code.startsWith("SQLITE_BUSY") || code.startsWith("SQLITE_LOCKED"));
}

/**
 * Group commit: writes submitted during one turn of the event loop share one transaction, and
 * each caller's promise settles only after that transaction is committed. With synchronous=FULL
 * this keeps every answer durable at a fraction of the cost of one fsync per row.
 */
export class GroupCommitter<T, R> implements Committer<T, R> {
  private queue: Pending<T, R>[] = [];
  private scheduled = false;
  private readonly writeBatch: (items: T[]) => R[];
  private readonly delayMs: number;
  private readonly busyRetryMs: number;
  private busySince: number | undefined;

  /**
   * `delayMs` 0 commits on the next turn of the event loop; more batches a log that nobody waits on.
   * `busyRetryMs`: how long a batch keeps retrying while another connection holds the write lock.
   */
  constructor(db: Db, writeOne: (item: T) => R, options: { delayMs?: number; busyRetryMs?: number } = {}) {
    this.delayMs = options.delayMs ?? 0;
    this.busyRetryMs = options.busyRetryMs ?? 10_000;
    // IMMEDIATE takes the write lock up front: a deferred transaction that reads first and then
    // writes gets SQLITE_BUSY at once (no busy wait) when another process committed in between.
    this.writeBatch = db.transaction((items: T[]) => items.map(writeOne)).immediate;
  }

  submit(item: T): Promise<R> {
    return new Promise<R>((resolve, reject) => {
      this.queue.push({ item, resolve, reject });
      if (!this.scheduled) {
        this.scheduled = true;
        if (this.delayMs > 0) setTimeout(() => this.flush(), this.delayMs);
        else setImmediate(() => this.flush());
      }
    });
  }

  async close(): Promise<void> {
    this.flush();
  }

  flush(): void {
    this.scheduled = false;
    const batch = this.queue;
    if (batch.length === 0) return;
    this.queue = [];
    let results: R[];
    try {
      results = this.writeBatch(batch.map((p) => p.item));
    } catch (error) {
      const now = Date.now();
      this.busySince ??= now;
      if (isBusy(error) && now - this.busySince < this.busyRetryMs) {
        // Another connection (a checkpoint, another process) holds the lock: wait for it on a
        // timer, not in SQLite's busy handler, so the event loop keeps reading requests meanwhile.
        this.queue = [...batch, ...this.queue];
        if (!this.scheduled) {
          this.scheduled = true;
          setTimeout(() => this.flush(), 5);
        }
        return;
      }
      this.busySince = undefined;
      for (const pending of batch) pending.reject(error);
      return;
    }
    this.busySince = undefined;
    batch.forEach((pending, index) => pending.resolve(results[index]!));
  }
}
