import type { Db } from "../store/database.js";
import { WorkerCommitter } from "../store/commit-worker.js";
import { deliveryParams, deliveryStore, INSERT_DELIVERY_SQL, type DeliverySource, type NewDeliveryAttempt } from "../store/deliveries.js";
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
  record(context: DeliveryContext, attempt: NumberedAttempt): void;
  /**
   * Resolves once every recorded attempt is committed. Rejects (once) if one could not be since
   * the last flush, unless the recorder reports failures to its own onError instead.
   */
  flush(): Promise<void>;
  /** Flushes, then lets go of what the recorder holds (its worker thread, if any). */
  close(): Promise<void>;
}

const FLUSH_EVERY_MS = 200;

function attemptRow(context: DeliveryContext, attempt: NumberedAttempt): NewDeliveryAttempt {
  return {
    deliveryId: context.deliveryId,
    source: context.source,
    event: context.event,
    eventId: context.eventId,
    webhookId: context.webhookId ?? null,
    requestId: context.requestId ?? null,
    url: attempt.url,
    attempt: attempt.attempt,
    startedAt: attempt.startedAt,
    durationMs: Math.round(attempt.durationMs * 100) / 100,
    statusCode: attempt.statusCode ?? null,
    error: attempt.error ?? null,
    responseBody: attempt.responseBody ?? null,
  };
}

/** Called with the first write that fails: the attempts it held are lost, later writes are tried afresh. */
export type RecordErrorHandler = (error: unknown) => void;

/**
 * Nobody waits on attempt rows, so they are buffered and written every 200 ms in one
 * transaction, with no promise per row: a commit per burst of sends would stall on fsync and
 * contend with a `listen` writing the same file.
 *
 * A failed write (a full disk) is not sticky: once space comes back the next batch is written.
 * With `onError` it is reported there, once per recorder, and flush and close never reject;
 * without it the next flush rejects with it once.
 */
function bufferedRecorder(write: (rows: NewDeliveryAttempt[]) => Promise<void>, release: () => Promise<void>, onError?: RecordErrorHandler): AttemptRecorder {
  let buffered: NewDeliveryAttempt[] = [];
  let timer: NodeJS.Timeout | undefined;
  let failure: { error: unknown } | undefined;
  let reported = false;
  const writing = new Set<Promise<void>>();
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
    timer = undefined;
    const rows = buffered;
    buffered = [];
    if (rows.length === 0) return;
    const done = write(rows).catch(failed);
    writing.add(done);
    void done.finally(() => writing.delete(done));
  };
  const flush = async () => {
    if (timer) clearTimeout(timer);
    writeBuffered();
    await Promise.all(writing);
    if (failure) {
      const { error } = failure;
      failure = undefined;
      throw error;
    }
  };
  return {
    record(context, attempt) {
      buffered.push(attemptRow(context, attempt));
      timer ??= setTimeout(writeBuffered, FLUSH_EVERY_MS);
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
export function attemptRecorder(db: Db, onError?: RecordErrorHandler): AttemptRecorder {
  const store = deliveryStore(db);
  const writeAll = db.transaction((rows: NewDeliveryAttempt[]) => {
    for (const row of rows) store.insert(row);
  });
  return bufferedRecorder(
    async (rows) => void writeAll.immediate(rows),
    async () => {},
    onError,
  );
}

/**
 * Records attempts from a worker thread with its own connection: for runs of thousands of
 * deliveries, where inserting and fsyncing on the sending thread would cost sends.
 */
export function workerAttemptRecorder(dbPath: string): AttemptRecorder {
  const committer = new WorkerCommitter<NewDeliveryAttempt, unknown>(dbPath, INSERT_DELIVERY_SQL, deliveryParams, () => undefined);
  return bufferedRecorder(
    async (rows) => void (await Promise.all(rows.map((row) => committer.submit(row)))),
    () => committer.close(),
  );
}
