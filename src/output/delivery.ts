import type { ChalkInstance } from "chalk";
import type { DeliveryReport, NumberedAttempt } from "../delivery/deliver.js";
import { attemptJson, forwardJson } from "../delivery/attempt-json.js";
import { answeredAsExpected, type ExpectedRefusal } from "../delivery/replay-item.js";
import type { ReplayAttemptView } from "../inspector/ui/types.js";
import type { Output } from "./index.js";
import { printable } from "./printable.js";

export interface DeliveryLine {
  event: string | null;
  eventId: string | null;
  attempt: NumberedAttempt;
  /** A request sent as recorded that the app should refuse: a 4XX is the pass, a 2xx the failure. */
  expectedRefusal?: ExpectedRefusal | undefined;
  /** The stored request sent again (replay): named on its line when its body is no event. */
  requestId?: number | undefined;
}

export function formatDuration(ms: number): string {
  return ms < 1000 ? `${Math.round(ms)} ms` : `${(ms / 1000).toFixed(2)} s`;
}

/** A recording's age in the largest whole unit: "45 s", "12 min", "3 h", "2 d". */
export function formatAge(seconds: number): string {
  if (seconds < 120) return `${Math.round(seconds)} s`;
  if (seconds < 7200) return `${Math.floor(seconds / 60)} min`;
  if (seconds < 172_800) return `${Math.floor(seconds / 3600)} h`;
  return `${Math.floor(seconds / 86_400)} d`;
}

/** "✔ 200  paystubs.fully_synced  → http://127.0.0.1:3000/  12 ms  <event_id>" */
export function formatDeliveryLine(c: ChalkInstance, { event, eventId, attempt, expectedRefusal, requestId }: DeliveryLine): string {
  const passed = answeredAsExpected(expectedRefusal, attempt);
  const mark = passed ? c.green("✔") : c.red("✖");
  const status =
    attempt.statusCode !== undefined
      ? (passed ? c.green : c.red)(String(attempt.statusCode))
      : c.red(attempt.errorKind === "timeout" ? "timeout" : "error");
  const expectation = expectedRefusal && attempt.statusCode !== undefined ? c.dim(passed ? "  (refused, as it should be)" : attempt.ok ? "  (accepted: it should be refused)" : "") : "";
  const retry = attempt.attempt > 1 ? c.dim(` (attempt ${attempt.attempt})`) : "";
  const error = attempt.error ? `  ${c.red(printable(attempt.error))}` : "";
  // No event: a --data body of one's own, or a stored request whose body is not an event (replay).
  const label = event ?? (requestId === undefined ? "(custom body)" : `#${requestId} (not an event)`);
  return `${mark} ${status}  ${printable(label)}  → ${printable(attempt.url)}  ${formatDuration(attempt.durationMs)}  ${c.dim(printable(eventId ?? ""))}${retry}${error}${expectation}`;
}

/** listen --forward-to's line under a request: "↳ 200 from http://127.0.0.1:3000/ in 12 ms after 2 attempts  #7". */
export function formatForwardLine(c: ChalkInstance, requestId: number, { ok, attempts, final }: DeliveryReport): string {
  const tries = attempts.length > 1 ? ` after ${attempts.length} attempts` : "";
  const outcome =
    final.statusCode !== undefined
      ? `${ok ? c.green(String(final.statusCode)) : c.red(String(final.statusCode))} from ${final.url} in ${formatDuration(final.durationMs)}`
      : `${c.red(printable(final.error ?? "error"))} (${final.url})`;
  return `            ↳ ${outcome}${tries}  ${c.dim(`#${requestId}`)}`;
}

/** listen --forward-to's report on one forward: a JSON line, or the line under its request. */
export function printForward(out: Output, request: { id: number; eventId: string | null }, report: DeliveryReport): void {
  if (out.json) {
    out.ndjson({ type: "forward", request_id: request.id, event_id: request.eventId, ...forwardJson(report), attempts: report.attempts.length });
    return;
  }
  out.line(formatForwardLine(out.c, request.id, report));
}

export function deliveryJson({ event, eventId, attempt }: DeliveryLine): Record<string, unknown> {
  // What the app answered, as the attempt log keeps it (the sender's excerpt, at most 2 KiB), as
  // `deliveries list --json` shows it: a reader of the attempt sees why it failed without a second look.
  const view: ReplayAttemptView = attemptJson(attempt);
  return { type: "attempt", event, event_id: eventId, ...view };
}
