import { createOutput, type Output } from "../../output/index.js";
import { deliveryAttemptJson, printDeliveryTable } from "../../output/stored.js";
import { deliveryStore, type DeliveryFilter, type DeliveryStore } from "../../store/deliveries.js";
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
    const filter = { eventId: options.eventId };
    const attempts = store.list({ ...filter, limit: options.limit });
    if (options.json) {
      out.data(attempts.map(deliveryAttemptJson));
      // As events list does: a script reading the array hears on stderr that --limit cut it.
      noticeCut(out, store, filter, attempts.length, options.limit);
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
    noticeCut(out, store, filter, attempts.length, options.limit);
  } finally {
    db.close();
  }
}

/** "50 of 358 shown", as events list words it: only when the page is full, so the count costs a query only then. */
function noticeCut(out: Output, store: DeliveryStore, filter: Omit<DeliveryFilter, "limit">, shown: number, limit: number): void {
  if (shown !== limit) return;
  const matching = store.count(filter);
  if (matching > shown) out.notice(`${shown} of ${matching} shown; --limit ${matching} shows them all`);
}
