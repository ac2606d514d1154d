import { createOutput } from "../../output/index.js";
import { deliveryAttemptJson, printDeliveryTable } from "../../output/stored.js";
import { deliveryStore } from "../../store/deliveries.js";
import { openStoreForReading } from "../../cli/read-store.js";

export interface DeliveriesListOptions {
  eventId?: string;
  limit: number;
  db?: string;
  json?: boolean;
}

export async function run(options: DeliveriesListOptions): Promise<void> {
  const out = createOutput({ json: options.json });
  const { db } = openStoreForReading(options.db, { readOnly: true });
  try {
    const store = deliveryStore(db);
    const attempts = store.list({ eventId: options.eventId, limit: options.limit });
    if (options.json) {
      out.data(attempts.map(deliveryAttemptJson));
      return;
    }
    if (attempts.length === 0) {
      const anyRecorded = options.eventId !== undefined && store.list({ limit: 1 }).length > 0;
      out.notice(
        anyRecorded
          ? `No delivery attempt carries event_id ${options.eventId}.`
          : 'No deliveries recorded yet; "simulate", "replay" and "smoke" record every attempt.',
      );
      return;
    }
    printDeliveryTable(out, attempts);
  } finally {
    db.close();
  }
}
