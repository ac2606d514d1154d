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
  /** Resolves once every recorded attempt is committed; rejects if one could not be. */
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

/**
 * Nobody waits on attempt rows, so they are buffered and written every 200 ms in one
 * transaction, with no promise per row: a commit per burst of sends would stall on fsync and
 * contend with a `listen` writing the same file.
 */
function bufferedRecorder(write: (rows: NewDeliveryAttempt[]) => Promise<void>, release: () => Promise<void>): AttemptRecorder {
  let buffered: NewDeliveryAttempt[] = [];
  let timer: NodeJS.Timeout | undefined;
  let failure: { error: unknown } | undefined;
  const writing = new Set<Promise<void>>();
  const writeBuffered = () => {
    timer = undefined;
    const rows = buffered;
    buffered = [];
    if (rows.length === 0) return;
    const done = write(rows).catch((error: unknown) => void (failure ??= { error }));
    writing.add(done);
    void done.finally(() => writing.delete(done));
  };
  const flush = async () => {
    if (timer) clearTimeout(timer);
    writeBuffered();
    await Promise.all(writing);
    if (failure) throw failure.error;
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
export function attemptRecorder(db: Db): AttemptRecorder {
  const store = deliveryStore(db);
  const writeAll = db.transaction((rows: NewDeliveryAttempt[]) => {
    for (const row of rows) store.insert(row);
  });
  return bufferedRecorder(
    async (rows) => void writeAll.immediate(rows),
    async () => {},
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
