import type { DeliveryAttempt } from "../../src/store/deliveries.js";

/** A delivery attempt as the store gives it back: simulate's first try of income.added, answered 200 in 12.4 ms. */
export function recordedAttempt(fields: Partial<DeliveryAttempt> = {}): DeliveryAttempt {
  return {
    id: 1,
    deliveryId: "d1",
    source: "simulate",
    event: "income.added",
    eventId: "ev-1",
    webhookId: null,
    requestId: null,
    url: "http://127.0.0.1:3000/",
    attempt: 1,
    startedAt: "2025-12-01T14:40:00.100Z",
    durationMs: 12.4,
    statusCode: 200,
    error: null,
    responseBody: null,
    ...fields,
  };
}
