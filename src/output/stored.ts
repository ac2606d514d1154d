import type { ChalkInstance } from "chalk";
import type { DeliveryAttempt } from "../store/deliveries.js";
import { formatDuration } from "./delivery.js";
import { printable, printableBlock } from "./printable.js";

/** A stored body for a terminal: pretty JSON when it parses, else text with control bytes made visible. */
export function formatBody(body: Buffer): string {
  const text = body.toString("utf8");
  try {
    // JSON.stringify escapes C0 controls only: C1 controls and bidi overrides still need showing.
    return printableBlock(JSON.stringify(JSON.parse(text), null, 2));
  } catch {
    return printableBlock(text);
  }
}

export function formatDeliveryAttempt(c: ChalkInstance, attempt: DeliveryAttempt): string {
  const status = attempt.statusCode === null ? c.red(printable(attempt.error ?? "error")) : String(attempt.statusCode);
  return `${attempt.startedAt}  ${attempt.source}  attempt ${attempt.attempt}  ${status}  ${formatDuration(attempt.durationMs)}  → ${printable(attempt.url)}`;
}

export { storedAttemptJson as deliveryAttemptJson } from "../delivery/attempt-json.js";
