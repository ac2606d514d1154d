import type { Db } from "../store/database.js";
import { deliveryStore, type DeliverySource, type NewDeliveryAttempt } from "../store/deliveries.js";
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
  /** Resolves once every recorded attempt is committed. */
  flush(): Promise<void>;
}

const FLUSH_EVERY_MS = 200;

/**
 * Records each attempt in the deliveries table. Nobody waits on these rows, so they are buffered
 * and committed every 200 ms in one transaction, with no promise per row: a commit per burst of
 * sends would block the event loop on fsync and contend with a `listen` writing the same file.
 */
export function attemptRecorder(db: Db): AttemptRecorder {
  const store = deliveryStore(db);
  const writeAll = db.transaction((rows: NewDeliveryAttempt[]) => {
    for (const row of rows) store.insert(row);
  });
  let buffered: NewDeliveryAttempt[] = [];
  let timer: NodeJS.Timeout | undefined;
  let failure: unknown;
  const write = () => {
    timer = undefined;
    const rows = buffered;
    buffered = [];
    if (rows.length === 0) return;
    try {
      writeAll.immediate(rows);
    } catch (error) {
      failure ??= error;
    }
  };
  return {
    record(context, attempt) {
      buffered.push({
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
      });
      timer ??= setTimeout(write, FLUSH_EVERY_MS);
    },
    async flush() {
      if (timer) clearTimeout(timer);
      write();
      if (failure !== undefined) throw failure;
    },
  };
}
