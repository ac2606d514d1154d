import { createRequire } from "node:module";
import { Worker } from "node:worker_threads";

// Plain CommonJS so it runs the same from src/ (tests) and dist/ (the CLI) with no file to resolve.
const WORKER_SOURCE = `
const { workerData, parentPort } = require("node:worker_threads");
const Database = require(workerData.driver);
const db = new Database(workerData.path);
db.pragma("busy_timeout = 10000");
db.pragma("journal_mode = WAL");
db.pragma("synchronous = FULL");
db.pragma("wal_autocheckpoint = 0");
// A statement that does not prepare fails each batch with SQLite's own words, instead of the worker.
let statement;
let prepareError;
try {
  statement = db.prepare(workerData.sql);
} catch (error) {
  prepareError = error;
}
// Structured cloning turns Buffers into Uint8Arrays; SQLite binds BLOBs from Buffers.
const asBuffer = (value) => (value instanceof Uint8Array && !Buffer.isBuffer(value) ? Buffer.from(value.buffer, value.byteOffset, value.byteLength) : value);
const writeBatch = db.transaction((batch) => {
  if (prepareError) throw prepareError;
  return batch.map((params) => statement.get(params.map(asBuffer)));
});
parentPort.on("message", (batch) => {
  if (batch === "close") {
    db.close();
    parentPort.postMessage("closed");
    return;
  }
  try {
    parentPort.postMessage({ rows: writeBatch.immediate(batch) });
  } catch (error) {
    parentPort.postMessage({ error: { message: String(error && error.message), code: error && error.code } });
  }
});
`;

interface Pending<T, R> {
  item: T;
  resolve(result: R): void;
  reject(error: unknown): void;
}

type Reply = { rows: unknown[] } | { error: { message: string; code?: string } } | "closed";

/**
 * Group commit in a worker thread: the main thread keeps reading and verifying requests while the
 * previous batch is written and fsynced, and everything that arrived meanwhile becomes the next
 * batch. One statement (with RETURNING) per item, one transaction per batch, one batch in flight.
 */
export class WorkerCommitter<T, R> {
  private queue: Pending<T, R>[] = [];
  private inFlight: Pending<T, R>[] | undefined;
  private scheduled = false;
  private failure: Error | undefined;
  private readonly worker: Worker;
  private closing: (() => void) | undefined;

  constructor(
    path: string,
    sql: string,
    private readonly toParams: (item: T) => unknown[],
    private readonly fromRow: (item: T, row: unknown) => R,
  ) {
    const driver = createRequire(import.meta.url).resolve("better-sqlite3");
    this.worker = new Worker(WORKER_SOURCE, { eval: true, workerData: { driver, path, sql } });
    this.worker.on("message", (reply: Reply) => this.settle(reply));
    this.worker.on("error", (error) => {
      this.failure = error;
      for (const pending of [...(this.inFlight ?? []), ...this.queue]) pending.reject(error);
      this.inFlight = undefined;
      this.queue = [];
      this.closing?.();
    });
  }

  /** Settles once the item's row is committed (synchronous=FULL): only then may it be acknowledged. */
  submit(item: T): Promise<R> {
    if (this.failure) return Promise.reject(this.failure);
    return new Promise<R>((resolve, reject) => {
      this.queue.push({ item, resolve, reject });
      if (!this.scheduled && !this.inFlight) {
        this.scheduled = true;
        setImmediate(() => {
          this.scheduled = false;
          this.send();
        });
      }
    });
  }

  private send(): void {
    if (this.inFlight || this.queue.length === 0) {
      if (!this.inFlight) this.closing?.();
      return;
    }
    this.inFlight = this.queue;
    this.queue = [];
    this.worker.postMessage(this.inFlight.map((pending) => this.toParams(pending.item)));
  }

  private settle(reply: Reply): void {
    if (reply === "closed") return;
    const batch = this.inFlight ?? [];
    this.inFlight = undefined;
    if ("rows" in reply) {
      batch.forEach((pending, index) => pending.resolve(this.fromRow(pending.item, reply.rows[index])));
    } else {
      const error = Object.assign(new Error(reply.error.message), { code: reply.error.code });
      for (const pending of batch) pending.reject(error);
    }
    this.send();
  }

  /** Commits what is pending, then releases the worker's connection. */
  async close(): Promise<void> {
    if (!this.failure && (this.inFlight || this.queue.length > 0)) {
      await new Promise<void>((resolve) => (this.closing = resolve));
    }
    if (!this.failure) {
      await new Promise<void>((resolve) => {
        this.worker.once("message", () => resolve());
        this.worker.once("exit", () => resolve());
        this.worker.postMessage("close");
      });
    }
    await this.worker.terminate();
  }
}
