import { createRequire } from "node:module";
import { Worker } from "node:worker_threads";

// Plain CommonJS so it runs the same from src/ (tests) and dist/ (the CLI) with no file to resolve.
// Each message is a batch of parameter lists for one statement: the worker writes it in one
// transaction and answers it with one reply (null, or the error), in order.
const WORKER_SOURCE = `
const { workerData, parentPort } = require("node:worker_threads");
const Database = require(workerData.driver);
const db = new Database(workerData.path);
db.pragma("busy_timeout = 10000");
db.pragma("journal_mode = WAL");
// NORMAL, not the store's FULL: a committed batch survives the process dying; only an OS crash or a
// power cut can take back the last batches (an attempt log, not a request someone was answered
// for). No fsync per batch: 20,000 deliveries sent and recorded in one process went 3-4% faster,
// with 5 µs less CPU per attempt (bench/throughput-2026-11-30.md, "Fifth stop").
db.pragma("synchronous = NORMAL");
// Prepared with the first batch: a statement that does not prepare (its table missing) fails that
// batch with SQLite's own words, not the worker, and the next batch tries again.
let statement;
const writeBatch = db.transaction((rows) => {
  statement ??= db.prepare(workerData.sql);
  for (let i = 0; i < rows.length; i++) statement.run(rows[i]);
});
parentPort.on("message", (message) => {
  if (message === "close") {
    db.close();
    parentPort.close();
    return;
  }
  try {
    writeBatch.immediate(message);
    parentPort.postMessage(null);
  } catch (error) {
    parentPort.postMessage({ message: String(error && error.message), code: error && error.code });
  }
});
`;

interface Waiting {
  resolve(): void;
  reject(error: unknown): void;
}

/**
 * Writes batches of rows from a worker thread with its own connection (synchronous=NORMAL, SQLite's
 * own WAL checkpoints): one message and one promise per batch, not per row, so recording a run's
 * attempts costs the sending thread little more than building each row's parameters.
 */
export class AttemptLogWorker {
  /** Batches handed to the worker, oldest first; each gets one reply. */
  private readonly posted: Waiting[] = [];
  private failure: Error | undefined;
  private closing: Promise<void> | undefined;
  private readonly worker: Worker;

  /** `sql` is one statement with positional parameters and no result (no RETURNING). */
  constructor(path: string, sql: string) {
    const driver = createRequire(import.meta.url).resolve("better-sqlite3");
    this.worker = new Worker(WORKER_SOURCE, { eval: true, workerData: { driver, path, sql } });
    this.worker.on("message", (reply: { message: string; code?: string } | null) => {
      const waiting = this.posted.shift();
      if (reply === null) waiting?.resolve();
      else waiting?.reject(Object.assign(new Error(reply.message), { code: reply.code }));
    });
    this.worker.on("error", (error) => {
      this.failure = error;
      for (const waiting of this.posted.splice(0)) waiting.reject(error);
    });
  }

  /** Resolves once every row of the batch is committed; rejects with the error that stopped the batch. */
  write(rows: unknown[][]): Promise<void> {
    if (this.failure) return Promise.reject(this.failure);
    if (this.closing) return Promise.reject(new Error("the attempt log's worker is closed; nothing more can be written through it"));
    return new Promise<void>((resolve, reject) => {
      this.posted.push({ resolve, reject });
      this.worker.postMessage(rows);
    });
  }

  /** Waits for the batches already handed over, then releases the worker's connection. Later calls wait for the first. */
  close(): Promise<void> {
    this.closing ??= this.shutDown();
    return this.closing;
  }

  private async shutDown(): Promise<void> {
    if (!this.failure) {
      // Messages are handled in order: "close" comes after every batch posted before it.
      await new Promise<void>((resolve) => {
        this.worker.once("exit", () => resolve());
        this.worker.postMessage("close");
      });
    }
    await this.worker.terminate();
  }
}
