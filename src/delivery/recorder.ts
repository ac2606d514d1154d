import type { Db } from "../store/database.js";
import { deliveryStore, type DeliveryAttempt, type DeliverySource, type NewDeliveryAttempt } from "../store/deliveries.js";
import { GroupCommitter } from "../store/group-commit.js";
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

/**
 * Records each attempt in the deliveries table. Nobody waits on these rows, so they are committed
 * in batches every 200 ms: a commit per burst of sends would block the event loop on fsync and
 * contend with a `listen` writing the same file.
 */
export function attemptRecorder(db: Db): AttemptRecorder {
  const store = deliveryStore(db);
  const committer = new GroupCommitter<NewDeliveryAttempt, DeliveryAttempt>(db, (row) => store.insert(row), { delayMs: 200 });
  const pending = new Set<Promise<unknown>>();
  let failure: unknown;
  return {
    record(context, attempt) {
      const write = committer
        .submit({
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
        })
        .catch((error: unknown) => {
          failure ??= error;
        })
        .finally(() => pending.delete(write));
      pending.add(write);
    },
    async flush() {
      await Promise.all(pending);
      if (failure !== undefined) throw failure;
    },
  };
}
