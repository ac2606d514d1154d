/**
 * One view of a delivery attempt as JSON, for every place that shows one: the CLI's --json lines,
 * `deliveries list` and `events show`, listen's forward lines, and the inspector's API and page
 * (whose types, src/inspector/ui/types.ts, both builds compile).
 */
import type { AttemptView, ForwardView, ReplayAttemptView } from "../inspector/ui/types.js";
import type { DeliveryAttempt } from "../store/deliveries.js";
import type { DeliveryReport, NumberedAttempt } from "./deliver.js";

/** A 2xx answer: what Pinwheel, and so every sender here, counts as delivered. */
export function isSuccess(statusCode: number | null | undefined): boolean {
  return typeof statusCode === "number" && statusCode >= 200 && statusCode < 300;
}

/** Durations measured in-process, to a hundredth of a millisecond. */
function roundedMs(ms: number): number {
  return Math.round(ms * 100) / 100;
}

/** An attempt just made (simulate, replay, smoke, a forward), as its sender saw it. */
export function attemptJson(attempt: NumberedAttempt): ReplayAttemptView {
  return {
    attempt: attempt.attempt,
    url: attempt.url,
    started_at: attempt.startedAt,
    duration_ms: roundedMs(attempt.durationMs),
    status_code: attempt.statusCode ?? null,
    ok: attempt.ok,
    error: attempt.error ?? null,
    response_body: attempt.responseBody ?? null,
  };
}

/** An attempt read back from the store. */
export function storedAttemptJson(attempt: DeliveryAttempt): AttemptView {
  return {
    id: attempt.id,
    delivery_id: attempt.deliveryId,
    source: attempt.source,
    event: attempt.event,
    event_id: attempt.eventId,
    request_id: attempt.requestId,
    attempt: attempt.attempt,
    url: attempt.url,
    started_at: attempt.startedAt,
    duration_ms: attempt.durationMs,
    status_code: attempt.statusCode,
    ok: isSuccess(attempt.statusCode),
    error: attempt.error,
    response_body: attempt.responseBody,
  };
}

/** How a forward ended (its last attempt), as listen --json and the page's forward column show it. */
export function forwardJson(report: DeliveryReport): Omit<ForwardView, "pending" | "url" | "duration_ms"> & { url: string; duration_ms: number } {
  const { final } = report;
  return {
    url: final.url,
    ok: report.ok,
    status_code: final.statusCode ?? null,
    duration_ms: roundedMs(final.durationMs),
    error: final.error ?? null,
  };
}
