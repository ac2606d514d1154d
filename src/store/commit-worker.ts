import { createRequire } from "node:module";
import { Worker } from "node:worker_threads";
import { defined } from "../invariant.js";
import { openDatabase, type Db } from "./database.js";

// Plain CommonJS so it runs the same from src/ (tests) and dist/ (the CLI) with no file to resolve.
// Messages are batches of parameter lists. Every batch that arrived while a transaction ran is
// written by the next one, so the worker never waits for the main thread to read its replies:
// one reply per batch, in order, once the transaction holding it has committed.
// With a completer module, the worker imports it before its first commit and runs its
// completeParams(params) on each parameter list just before the statement: it may fill parameters
// in (in the same INSERT), and what it returns comes back beside the row.
const WORKER_SOURCE = `
const { workerData, parentPort } = require("node:worker_threads");
const Database = require(workerData.driver);
const db = new Database(workerData.path);
db.pragma("busy_timeout = 10000");
db.pragma("journal_mode = WAL");
db.pragma("synchronous = FULL");
db.pragma("wal_autocheckpoint = " + workerData.walAutocheckpoint);
// A statement that does not prepare fails each batch with SQLite's own words, instead of the worker.
let statement;
const statements = {};
let prepareError;
try {
  statement = db.prepare(workerData.sql);
  for (const [name, sql] of Object.entries(workerData.statements)) statements[name] = db.prepare(sql);
} catch (error) {
  prepareError = error;
}
// Structured cloning turns Buffers into Uint8Arrays; SQLite binds BLOBs from Buffers.
const bindable = (params) => {
  for (let i = 0; i < params.length; i++) {
    const value = params[i];
    if (value instanceof Uint8Array && !Buffer.isBuffer(value)) params[i] = Buffer.from(value.buffer, value.byteOffset, value.byteLength);
  }
  return params;
};
let completeParams;
// Until the completer is imported, commits wait for it; one that cannot be imported fails each batch.
let loading = workerData.completer
  ? import(workerData.completer).then(
      (module) => { completeParams = module.completeParams; loading = undefined; },
      (error) => { prepareError = error; loading = undefined; },
    )
  : undefined;
const runSide = (item) => {
  statements[item.statement].run(bindable(item.params));
  return null;
};
const writeBatches = db.transaction((batches) => {
  if (prepareError) throw prepareError;
  if (!completeParams) return batches.map((batch) => ({ rows: batch.map((params) => (Array.isArray(params) ? statement.get(bindable(params)) : runSide(params))) }));
  return batches.map((batch) => {
    const completed = [];
    const rows = batch.map((params) => {
      if (!Array.isArray(params)) {
        completed.push(undefined);
        return runSide(params);
      }
      completed.push(completeParams(bindable(params)));
      return statement.get(params);
    });
    return { rows, completed };
  });
});
let waiting = [];
let scheduled = false;
let closing = false;
function schedule() {
  if (scheduled) return;
  scheduled = true;
  if (loading) loading.then(() => setImmediate(commit));
  else setImmediate(commit);
}
function commit() {
  scheduled = false;
  const batches = waiting;
  waiting = [];
  if (batches.length > 0) {
    let committed;
    try {
      committed = writeBatches.immediate(batches);
    } catch (error) {
      const failure = { error: { message: String(error && error.message), code: error && error.code } };
      for (let i = 0; i < batches.length; i++) parentPort.postMessage(failure);
    }
    // Outside the try: once committed, each batch gets its rows and nothing else.
    if (committed) for (const reply of committed) parentPort.postMessage(reply);
  }
  if (closing) {
    db.close();
    parentPort.close();
  }
}
parentPort.on("message", (message) => {
  if (message === "close") closing = true;
  else waiting.push(message);
  // Runs after every message already queued has been taken: they all share one transaction.
  schedule();
});
`;

export interface CommitterOptions {
  /**
   * A checkpointer (src/store/checkpointer.ts) keeps the WAL in check, so commits skip SQLite's
   * own checkpoint. Without one, the default auto-checkpoint keeps the WAL from growing all run.
   */
  checkpointedElsewhere?: boolean;
  /**
   * A file URL of an ES module exporting `completeParams(params: unknown[]): unknown`, run in the
   * worker on each item's parameters (BLOBs as Buffers) just before its statement, inside the
   * transaction: it may fill parameters in, and what it returns is handed to `fromRow` as `completed`.
   * It is imported in the worker thread, so it must be plain JavaScript (a built module, not src/'s TypeScript).
   */
  completer?: string;
  /**
   * Commits on the calling thread instead, through a connection of its own, whenever
   * `commitHere()` says so and the worker holds no batch: at low concurrency each request waits
   * for its fsync anyway, and the hand-off to the worker only adds two thread hops and a copy of
   * every row. `complete` does there what the completer does in the worker. That connection never
   * waits for a lock: when another holds the write lock, the batch goes to the worker, which waits.
   */
  here?: CommitHere;
  /**
   * Other statements, by name, that `run(name, params)` commits in turn with the items: what must
   * be written in order with the rows and never on the calling thread's event loop (it waits for
   * a lock held elsewhere only in the worker).
   */
  statements?: Record<string, string>;
}

/** An item of a batch that runs one of the named statements instead of the committer's own. */
interface SideItem {
  statement: string;
  params: unknown[];
}

export interface CommitHere {
  /** Asked before each batch: commit it on this thread? */
  commitHere(): boolean;
  complete?(params: unknown[]): unknown;
}

type BatchItem = unknown[] | SideItem;

interface LocalWriter {
  commitHere(): boolean;
  /** The batch's reply, or undefined when the write lock is taken (nothing was written). */
  write(batch: BatchItem[]): Reply | undefined;
  close(): void;
}

const SQLITE_DEFAULT_AUTOCHECKPOINT = 1000;

interface Pending<T, R> {
  item: T | SideItem;
  /** Set for a SideItem: its statement is not the committer's own, and it settles with nothing. */
  side?: true;
  resolve(result: R | undefined): void;
  reject(error: unknown): void;
}

type Reply = { rows: unknown[]; completed?: unknown[] } | { error: { message: string; code?: string } };

/**
 * Group commit in a worker thread: the main thread keeps reading and verifying requests while
 * the worker writes and fsyncs, and hands over what it gathered in each turn of its event loop.
 * One statement (with RETURNING) per item, one transaction for everything the worker has
 * received since its last commit. With `here`, a batch may instead be committed on the calling
 * thread, in the same transaction shape, whenever the worker holds nothing.
 */
export class WorkerCommitter<T, R> {
  private queue: Pending<T, R>[] = [];
  /** Batches handed to the worker, oldest first; each gets one reply. */
  private readonly posted: Pending<T, R>[][] = [];
  private scheduled = false;
  /** Batches committed on the calling thread and handed to the worker, so far: which one carried the load. */
  readonly batches = { here: 0, worker: 0 };
  private failure: Error | undefined;
  private closing: Promise<void> | undefined;
  private readonly worker: Worker;
  private readonly here: LocalWriter | undefined;
  private readonly statementNames: ReadonlySet<string>;

  constructor(
    path: string,
    sql: string,
    private readonly toParams: (item: T) => unknown[],
    private readonly fromRow: (item: T, row: unknown, completed: unknown) => R,
    options: CommitterOptions = {},
  ) {
    const driver = createRequire(import.meta.url).resolve("better-sqlite3");
    const walAutocheckpoint = options.checkpointedElsewhere ? 0 : SQLITE_DEFAULT_AUTOCHECKPOINT;
    const statements = options.statements ?? {};
    this.statementNames = new Set(Object.keys(statements));
    const workerData = { driver, path, sql, statements, walAutocheckpoint, completer: options.completer };
    this.worker = new Worker(WORKER_SOURCE, { eval: true, workerData });
    this.here = options.here && localWriter(path, sql, statements, walAutocheckpoint, options.here);
    this.worker.on("message", (reply: Reply) => this.settle(reply));
    this.worker.on("error", (error) => {
      this.failure = error;
      for (const pending of [...this.posted.flat(), ...this.queue]) pending.reject(error);
      this.posted.length = 0;
      this.queue = [];
    });
  }

  /** Settles once the item's row is committed (synchronous=FULL): only then may it be acknowledged. */
  submit(item: T): Promise<R> {
    if (this.failure) return Promise.reject(this.failure);
    if (this.closing) return Promise.reject(new Error("the commit worker is closed; nothing more can be stored through it"));
    return new Promise<R>((resolve, reject) => this.enqueue({ item, resolve: resolve as (result: R | undefined) => void, reject }));
  }

  /** Runs one of `options.statements` in turn with the items: settles once committed, as `submit` does. */
  run(statement: string, params: unknown[]): Promise<void> {
    if (this.failure) return Promise.reject(this.failure);
    if (this.closing) return Promise.reject(new Error("the commit worker is closed; nothing more can be stored through it"));
    if (!this.statementNames.has(statement)) return Promise.reject(new Error(`the commit worker has no statement named "${statement}"`));
    return new Promise<void>((resolve, reject) => this.enqueue({ item: { statement, params }, side: true, resolve: () => resolve(), reject }));
  }

  private enqueue(pending: Pending<T, R>): void {
    this.queue.push(pending);
    if (!this.scheduled) {
      this.scheduled = true;
      setImmediate(() => this.post());
    }
  }

  private post(): void {
    this.scheduled = false;
    if (this.queue.length === 0 || this.failure) return;
    const batch = this.queue;
    this.queue = [];
    const params = batch.map((pending): BatchItem => (pending.side ? (pending.item as SideItem) : this.toParams(pending.item as T)));
    // Only while the worker holds nothing: its transaction and this one never wait on each other.
    if (this.here && this.posted.length === 0 && this.here.commitHere()) {
      let reply: Reply | undefined;
      try {
        reply = this.here.write(params);
      } catch (error) {
        for (const pending of batch) pending.reject(error);
        return;
      }
      if (reply) {
        this.batches.here++;
        this.settleBatch(batch, reply);
        return;
      }
    }
    this.batches.worker++;
    this.posted.push(batch);
    this.worker.postMessage(params);
  }

  private settle(reply: Reply): void {
    this.settleBatch(this.posted.shift() ?? [], reply);
  }

  private settleBatch(batch: Pending<T, R>[], reply: Reply): void {
    if ("rows" in reply) {
      const { rows, completed } = reply;
      batch.forEach((pending, index) => pending.resolve(pending.side ? undefined : this.fromRow(pending.item as T, rows[index], completed?.[index])));
    } else {
      const error = Object.assign(new Error(reply.error.message), { code: reply.error.code });
      for (const pending of batch) pending.reject(error);
    }
  }

  /** Commits what is pending, then releases the worker's connection. Later calls wait for the first. */
  close(): Promise<void> {
    this.closing ??= this.shutDown();
    return this.closing;
  }

  private async shutDown(): Promise<void> {
    if (!this.failure) {
      this.post();
      // The worker commits what it holds, closes its connection and lets the thread end.
      await new Promise<void>((resolve) => {
        this.worker.once("exit", () => resolve());
        this.worker.postMessage("close");
      });
    }
    await this.worker.terminate();
    this.here?.close();
  }
}

/**
 * The worker's transaction on a connection of the calling thread's own: one statement per item,
 * completed first. It never waits for the write lock (busy_timeout 0): that would stall the
 * event loop. Undefined when the file or statement cannot be prepared: the worker then reports
 * what is wrong, batch by batch.
 */
function localWriter(path: string, sql: string, sideSql: Record<string, string>, walAutocheckpoint: number, { commitHere, complete }: CommitHere): LocalWriter | undefined {
  let db: Db | undefined;
  try {
    db = openDatabase(path);
    db.pragma("busy_timeout = 0");
    db.pragma(`wal_autocheckpoint = ${walAutocheckpoint}`);
    const statement = db.prepare(sql);
    const connection = db;
    const side = new Map(Object.entries(sideSql).map(([name, text]) => [name, connection.prepare(text)]));
    const runSide = ({ statement: name, params }: SideItem): null => {
      defined(side.get(name), `the statement named "${name}"`).run(params);
      return null;
    };
    const write = connection.transaction((batch: BatchItem[]): Reply => {
      if (!complete) return { rows: batch.map((params) => (Array.isArray(params) ? statement.get(params) : runSide(params))) };
      const completed: unknown[] = [];
      const rows = batch.map((params) => {
        if (!Array.isArray(params)) {
          completed.push(undefined);
          return runSide(params);
        }
        completed.push(complete(params));
        return statement.get(params);
      });
      return { rows, completed };
    });
    return {
      commitHere,
      write(batch) {
        try {
          return write.immediate(batch);
        } catch (error) {
          // BEGIN IMMEDIATE found the write lock taken: nothing was written.
          if (String((error as { code?: unknown }).code).startsWith("SQLITE_BUSY")) return undefined;
          throw error;
        }
      },
      close: () => connection.close(),
    };
  } catch {
    db?.close();
    return undefined;
  }
}
