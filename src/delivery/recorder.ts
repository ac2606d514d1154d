import type { Db } from "../store/database.js";
import { RECORD_DELIVERY_COLUMNS, RECORD_DELIVERY_SQL, type DeliverySource } from "../store/deliveries.js";
import { redactUrl } from "../redact-url.js";
import type { NumberedAttempt } from "./deliver.js";

export interface DeliveryContext {
  deliveryId: string;
  source: DeliverySource;
  event: string | null;
  eventId: string | null;
  webhookId?: string | null;
  requestId?: number | null;
}

export interface AttemptRecorder {
  /** Queues the attempt's row; past the queue's bound it is shed, counted and reported (see bufferedRecorder). */
  record(context: DeliveryContext, attempt: NumberedAttempt): void;
  /** More rows wait to be written than a run should add to: wait for room() before the next delivery. */
  readonly full: boolean;
  /** Writes what is waiting now, so that the queue is below half its bound again. */
  room(): Promise<void>;
  /** Attempts shed so far because the queue was at its bound (nothing is shed by a run that waits for room()). */
  readonly shed: number;
  /**
   * Resolves once every recorded attempt is committed. Rejects (once) if one could not be since
   * the last flush, unless the recorder reports failures to its own onError instead.
   */
  flush(): Promise<void>;
  /** Flushes, then lets go of what the recorder holds. */
  close(): Promise<void>;
}

/**
 * How long attempts wait to be written: 25 ms in a run's own staging table (a short transaction
 * holds the file's write lock for a moment, so a `listen` writing the same file hardly waits), 200
 * ms on a connection the recorder shares (listen's forwarder, the inspector), where each write is a
 * commit and an fsync.
 */
const FLUSH_EVERY_MS = { staged: 25, shared: 200 };
/** Attempts waiting to be written at most; a run writes them at once when half of it waits. */
export const ATTEMPT_QUEUE_BOUND = 20_000;

/** Attempts were made but not recorded: more came between two writes than the attempt log holds. */
export class AttemptsShedError extends Error {
  constructor(
    /** Shed so far; with `ongoing`, the first of a stretch that may go on. */
    readonly shed: number,
    readonly bound: number,
    ongoing = false,
  ) {
    super(
      ongoing
        ? `delivery attempts are being shed, not recorded: ${bound} were already waiting to be written to the attempt log`
        : `${shed} delivery attempt(s) were not recorded: ${bound} were already waiting to be written to the attempt log`,
    );
    this.name = "AttemptsShedError";
  }
}

/**
 * Calls `bind` with RECORD_DELIVERY_SQL's parameters (a staging table's columns), in that order,
 * straight from the run's context and the attempt. Passed as arguments, not as an array: a run's
 * staging insert binds them without an array per attempt (about 1.3 us an attempt less).
 */
function withAttemptValues<R>(bind: (...values: unknown[]) => R, context: DeliveryContext, attempt: NumberedAttempt): R {
  return bind(
    context.deliveryId,
    context.source,
    context.event,
    context.eventId,
    context.webhookId ?? null,
    context.requestId ?? null,
    redactUrl(attempt.url),
    attempt.attempt,
    attempt.startedAt,
    Math.round(attempt.durationMs * 100) / 100,
    attempt.statusCode ?? null,
    attempt.error ?? null,
    attempt.responseBody ?? null,
  );
}

/** Called with the first write that fails: the attempts it held are lost, later writes are tried afresh. */
export type RecordErrorHandler = (error: unknown) => void;

/** Where attempts wait between writes, and how they are written. */
interface AttemptStage {
  /** Holds one attempt until the next write. */
  add(context: DeliveryContext, attempt: NumberedAttempt): void;
  /** Attempts held. */
  readonly size: number;
  /** Writes every attempt held in one transaction and lets go of them, written or not; throws what failed. */
  write(): void;
}

/**
 * Nobody waits on attempt rows, so they are held and written every `flushEveryMs` in one
 * transaction, with no promise per row: a commit per delivery would stall on its fsync and
 * contend with a `listen` writing the same file.
 *
 * record() itself only keeps the attempt: the attempts of one turn of the event loop go to the
 * stage together once its I/O callbacks have run (setImmediate). The answers that arrive together
 * then send their next requests first, and SQLite's code runs once for the lot instead of between
 * every answer and the next send: 4-24 us less main thread an attempt in a run of 10,000,
 * in-process (bench/throughput-2026-11-30.md, "Eighth stop").
 *
 * What is held has a bound. A run of deliveries asks for room() at half of it, which writes at
 * once, so it never sheds; past the bound (a caller that never asks) rows are shed: counted in
 * `shed` and reported like a failed write.
 *
 * A failed write (a full disk) is not sticky: once space comes back the next batch is written.
 * With `onError` it is reported there, once per recorder, and flush and close never reject;
 * without it the next flush rejects with it once.
 */
function bufferedRecorder(
  stage: AttemptStage,
  onError: RecordErrorHandler | undefined,
  bound: number,
  flushEveryMs: number,
  release: () => void = () => {},
): AttemptRecorder {
  let timer: NodeJS.Timeout | undefined;
  // Context and attempt, in turn: no pair object per attempt.
  let kept: (DeliveryContext | NumberedAttempt)[] = [];
  const keptCount = () => kept.length / 2;
  let failure: { error: unknown } | undefined;
  let reported = false;
  let shed = 0;
  let shedSinceFlush = 0;
  const failed = (error: unknown) => {
    if (!onError) {
      failure ??= { error };
      return;
    }
    if (reported) return;
    reported = true;
    onError(error);
  };
  const stageKept = () => {
    if (kept.length === 0) return;
    const pairs = kept;
    kept = [];
    for (let i = 0; i < pairs.length; i += 2) {
      try {
        stage.add(pairs[i] as DeliveryContext, pairs[i + 1] as NumberedAttempt);
      } catch (error) {
        failed(error);
      }
    }
  };
  const writeHeld = () => {
    stageKept();
    if (timer) clearTimeout(timer);
    timer = undefined;
    if (stage.size === 0) return;
    try {
      stage.write();
    } catch (error) {
      failed(error);
    }
  };
  const flush = async () => {
    writeHeld();
    if (shedSinceFlush > 0) {
      // Reported with the count of this stretch, not only at the first shed row.
      const error = new AttemptsShedError(shedSinceFlush, bound);
      shedSinceFlush = 0;
      if (!onError) failure ??= { error };
    }
    if (failure) {
      const { error } = failure;
      failure = undefined;
      throw error;
    }
  };
  return {
    record(context, attempt) {
      if (stage.size + keptCount() >= bound) {
        shed++;
        shedSinceFlush++;
        if (onError && shedSinceFlush === 1) failed(new AttemptsShedError(1, bound, true));
        return;
      }
      if (kept.length === 0) setImmediate(stageKept);
      kept.push(context, attempt);
      timer ??= setTimeout(writeHeld, flushEveryMs);
    },
    get full() {
      return stage.size + keptCount() >= bound / 2;
    },
    async room() {
      if (stage.size + keptCount() >= bound / 2) writeHeld();
    },
    get shed() {
      return shed;
    },
    flush,
    async close() {
      try {
        await flush();
      } finally {
        release();
      }
    },
  };
}

/**
 * Records attempts through a connection the caller also uses (listen's forwarder, the inspector,
 * the sandbox): held as parameter lists and written every 200 ms, with the connection's settings.
 */
export function attemptRecorder(db: Db, onError?: RecordErrorHandler, bound?: number): AttemptRecorder {
  const insert = db.prepare(RECORD_DELIVERY_SQL);
  const writeAll = db.transaction((rows: unknown[][]) => {
    for (const row of rows) insert.run(row);
  });
  let held: unknown[][] = [];
  const stage: AttemptStage = {
    add(context, attempt) {
      held.push(withAttemptValues(Array.of, context, attempt));
    },
    get size() {
      return held.length;
    },
    write() {
      const rows = held;
      held = [];
      writeAll.immediate(rows);
    },
  };
  return bufferedRecorder(stage, onError, bound ?? ATTEMPT_QUEUE_BOUND, FLUSH_EVERY_MS.shared);
}

let stagingTables = 0;

/**
 * Records a run's attempts through a connection that writes nothing else (the run's own, or the
 * one replay reads with): the attempts of each turn of the event loop go into a staging table in
 * memory (the connection's TEMP database, which takes no lock on the file), and every 25 ms one
 * short transaction moves them into `deliveries` in SQLite's own code. Nothing is held in
 * JavaScript beyond the turn, and no thread is started.
 *
 * Measured (bench/throughput-2026-11-30.md, "Sixth stop"): 10,000 deliveries in one process cost
 * about 100 ms less than with the worker thread this replaces, which spent 60-100 ms of CPU
 * starting, cloned every row to its thread and competed for the cores with the sends.
 *
 * The connection's commits become synchronous=NORMAL: a committed batch survives the process
 * dying; only an OS crash or a power cut can take back the last batches (an attempt log, not a
 * request someone was answered for).
 */
export function stagedAttemptRecorder(db: Db, bound?: number): AttemptRecorder {
  db.pragma("synchronous = NORMAL");
  db.pragma("temp_store = MEMORY");
  const table = `temp.attempts_${++stagingTables}`;
  db.exec(`CREATE TABLE ${table} (${RECORD_DELIVERY_COLUMNS})`);
  const stageOne = db.prepare(`INSERT INTO ${table} VALUES (${RECORD_DELIVERY_COLUMNS.split(",").map(() => "?").join(", ")})`);
  const runStageOne = stageOne.run.bind(stageOne);
  const clear = db.prepare(`DELETE FROM ${table}`);
  // Prepared with the first write: a `deliveries` that is missing fails that write with SQLite's
  // own words, and the next one tries again.
  let move: (() => void) | undefined;
  let size = 0;
  const stage: AttemptStage = {
    add(context, attempt) {
      withAttemptValues(runStageOne, context, attempt);
      size++;
    },
    get size() {
      return size;
    },
    write() {
      try {
        if (!move) {
          const copy = db.prepare(`INSERT INTO main.deliveries (${RECORD_DELIVERY_COLUMNS}) SELECT * FROM ${table}`);
          const moveAll = db.transaction(() => void copy.run());
          move = () => moveAll.immediate();
        }
        move();
      } finally {
        clear.run();
        size = 0;
      }
    },
  };
  return bufferedRecorder(stage, undefined, bound ?? ATTEMPT_QUEUE_BOUND, FLUSH_EVERY_MS.staged, () => {
    if (db.open) db.exec(`DROP TABLE IF EXISTS ${table}`);
  });
}
