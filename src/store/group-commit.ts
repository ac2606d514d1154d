import type { Db } from "./database.js";

interface Pending<T, R> {
  item: T;
  resolve(result: R): void;
  reject(error: unknown): void;
}

/**
 * Group commit: writes submitted during one turn of the event loop share one transaction, and
 * each caller's promise settles only after that transaction is committed. With synchronous=FULL
 * this keeps every answer durable at a fraction of the cost of one fsync per row.
 */
export class GroupCommitter<T, R> {
  private queue: Pending<T, R>[] = [];
  private scheduled = false;
  private readonly writeBatch: (items: T[]) => R[];
  private readonly delayMs: number;

  /** `delayMs` 0 commits on the next turn of the event loop; more batches a log that nobody waits on. */
  constructor(db: Db, writeOne: (item: T) => R, options: { delayMs?: number } = {}) {
    this.delayMs = options.delayMs ?? 0;
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

  get pending(): number {
    return this.queue.length;
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
      for (const pending of batch) pending.reject(error);
      return;
    }
    batch.forEach((pending, index) => pending.resolve(results[index]!));
  }
}
