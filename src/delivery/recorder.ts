import type { Db } from "../store/database.js";
import { RECORD_DELIVERY_SQL, type DeliverySource } from "../store/deliveries.js";
import { redactUrl } from "../redact-url.js";
import { AttemptLogWorker } from "./attempt-log-worker.js";
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
  /** Writes what is waiting now and resolves once the queue is below half its bound again. */
  room(): Promise<void>;
  /** Attempts shed so far because the queue was at its bound (nothing is shed by a run that waits for room()). */
  readonly shed: number;
  /**
   * Resolves once every recorded attempt is committed. Rejects (once) if one could not be since
   * the last flush, unless the recorder reports failures to its own onError instead.
   */
  flush(): Promise<void>;
  /** Flushes, then lets go of what the recorder holds (its worker thread, if any). */
  close(): Promise<void>;
}

/**
 * How long attempts wait to be written. On the caller's thread every write is a commit and an
 * fsync there, so it waits longer; a worker's writes cost the sender nothing but a message, and
 * rows handed over sooner are young garbage rather than objects the collector must promote
 * (simulate --count 10,000: 3% faster at 25 ms than at 200).
 */
const FLUSH_EVERY_MS = { here: 200, worker: 25 };
/** Rows waiting to be written (buffered or in a write) at most; a run waits for room at half of it. */
export const ATTEMPT_QUEUE_BOUND = 20_000;

/** Attempts were made but not recorded: the attempt log's queue was at its bound (a writer far behind). */
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
 * RECORD_DELIVERY_SQL's parameters, in its column order, straight from the run's context and the
 * attempt: one array per attempt, no row object between them, and nothing per row after it.
 */
function attemptParams(context: DeliveryContext, attempt: NumberedAttempt): unknown[] {
  return [
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
  ];
}

/** Called with the first write that fails: the attempts it held are lost, later writes are tried afresh. */
export type RecordErrorHandler = (error: unknown) => void;

/**
 * Nobody waits on attempt rows, so they are buffered and written every `flushEveryMs` in one
 * transaction, with no promise per row: a commit per burst of sends would stall on fsync and
 * contend with a `listen` writing the same file.
 *
 * The queue (rows buffered plus rows being written) has a bound. A run of deliveries waits for
 * room() at half of it, so it never sheds; a caller that cannot wait (listen's forwarder) has
 * the rows past the bound shed: counted in `shed` and reported like a failed write.
 *
 * A failed write (a full disk) is not sticky: once space comes back the next batch is written.
 * With `onError` it is reported there, once per recorder, and flush and close never reject;
 * without it the next flush rejects with it once.
 */
function bufferedRecorder(
  write: (rows: unknown[][]) => Promise<void>,
  release: () => Promise<void>,
  onError: RecordErrorHandler | undefined,
  bound: number,
  flushEveryMs: number,
): AttemptRecorder {
  let buffered: unknown[][] = [];
  let timer: NodeJS.Timeout | undefined;
  let failure: { error: unknown } | undefined;
  let reported = false;
  let writingRows = 0;
  let shed = 0;
  let shedSinceFlush = 0;
  const writing = new Set<Promise<void>>();
  const waiting = () => buffered.length + writingRows;
  const failed = (error: unknown) => {
    if (!onError) {
      failure ??= { error };
      return;
    }
    if (reported) return;
    reported = true;
    onError(error);
  };
  const writeBuffered = () => {
    if (timer) clearTimeout(timer);
    timer = undefined;
    const rows = buffered;
    buffered = [];
    if (rows.length === 0) return;
    writingRows += rows.length;
    const done = write(rows).catch(failed);
    writing.add(done);
    void done.finally(() => {
      writing.delete(done);
      writingRows -= rows.length;
    });
  };
  const flush = async () => {
    writeBuffered();
    await Promise.all(writing);
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
      if (waiting() >= bound) {
        shed++;
        shedSinceFlush++;
        if (onError && shedSinceFlush === 1) failed(new AttemptsShedError(1, bound, true));
        return;
      }
      buffered.push(attemptParams(context, attempt));
      timer ??= setTimeout(writeBuffered, flushEveryMs);
    },
    get full() {
      return waiting() >= bound / 2;
    },
    async room() {
      while (waiting() >= bound / 2) {
        writeBuffered();
        if (writing.size === 0) return;
        await Promise.race(writing);
      }
    },
    get shed() {
      return shed;
    },
    flush,
    async close() {
      try {
        await flush();
      } finally {
        await release();
      }
    },
  };
}

/** Records attempts through the caller's connection, on its thread: for occasional deliveries. */
export function attemptRecorder(db: Db, onError?: RecordErrorHandler, bound?: number): AttemptRecorder {
  const insert = db.prepare(RECORD_DELIVERY_SQL);
  const writeAll = db.transaction((rows: unknown[][]) => {
    for (const row of rows) insert.run(row);
  });
  return bufferedRecorder(
    async (rows) => void writeAll.immediate(rows),
    async () => {},
    onError,
    bound ?? ATTEMPT_QUEUE_BOUND,
    FLUSH_EVERY_MS.here,
  );
}

/**
 * Records attempts from a worker thread with its own connection: for runs of thousands of
 * deliveries, where inserting and fsyncing on the sending thread would cost sends. Each batch
 * (25 ms of attempts) is one message to the worker and one transaction.
 */
export function workerAttemptRecorder(dbPath: string, bound?: number): AttemptRecorder {
  const log = new AttemptLogWorker(dbPath, RECORD_DELIVERY_SQL);
  return bufferedRecorder(
    (rows) => log.write(rows),
    () => log.close(),
    undefined,
    bound ?? ATTEMPT_QUEUE_BOUND,
    FLUSH_EVERY_MS.worker,
  );
}
