import type { ChalkInstance } from "chalk";
import type { DeliveryAttempt } from "../store/deliveries.js";
import { formatDuration } from "./delivery.js";

/** A stored body for a terminal: pretty JSON when it parses, else text with control bytes made visible. */
export function formatBody(body: Buffer): string {
  const text = body.toString("utf8");
  try {
    return JSON.stringify(JSON.parse(text), null, 2);
  } catch {
    // eslint-disable-next-line no-control-regex
    return text.replace(/[\u0000-\u0008\u000b-\u001f\u007f]/g, (ch) => `\\x${ch.charCodeAt(0).toString(16).padStart(2, "0")}`);
  }
}

export function formatDeliveryAttempt(c: ChalkInstance, attempt: DeliveryAttempt): string {
  const status = attempt.statusCode === null ? c.red(attempt.error ?? "error") : String(attempt.statusCode);
  return `${attempt.startedAt}  ${attempt.source}  attempt ${attempt.attempt}  ${status}  ${formatDuration(attempt.durationMs)}  → ${attempt.url}`;
}

export function deliveryAttemptJson(attempt: DeliveryAttempt): Record<string, unknown> {
  return {
    id: attempt.id,
    delivery_id: attempt.deliveryId,
    source: attempt.source,
    event: attempt.event,
    event_id: attempt.eventId,
    request_id: attempt.requestId,
    url: attempt.url,
    attempt: attempt.attempt,
    started_at: attempt.startedAt,
    duration_ms: attempt.durationMs,
    status_code: attempt.statusCode,
    error: attempt.error,
    response_body: attempt.responseBody,
  };
}
