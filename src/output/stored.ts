import type { ChalkInstance } from "chalk";
import type { DeliveryAttempt } from "../store/deliveries.js";
import { withThousands } from "../thousands.js";
import { formatDuration } from "./delivery.js";
import type { Output } from "./index.js";
import { printable, printableBlock } from "./printable.js";
import { tableTime } from "./table.js";

/** A stored body for a terminal: pretty JSON when it parses, else text with control bytes made visible. */
export function formatBody(body: Buffer): string {
  const text = body.toString("utf8");
  let shown: string;
  try {
    // JSON.stringify escapes C0 controls only: C1 controls and bidi overrides still need showing.
    shown = printableBlock(JSON.stringify(JSON.parse(text), null, 2));
  } catch {
    shown = printableBlock(text);
  }
  if (shown.length <= SHOWN_BODY_CHARACTERS) return shown;
  // A megabyte of body would scroll away everything above it; --json carries it whole.
  const more = shown.length - SHOWN_BODY_CHARACTERS;
  return `${shown.slice(0, SHOWN_BODY_CHARACTERS)}\n… ${withThousands(more)} more characters (--json has the whole body, as body_base64)`;
}

/** A body shown in a terminal is cut after this many characters (a real event's body is a few KB). */
export const SHOWN_BODY_CHARACTERS = 64 * 1024;

export function formatDeliveryAttempt(c: ChalkInstance, attempt: DeliveryAttempt): string {
  const status = attempt.statusCode === null ? c.red(printable(attempt.error ?? "error")) : String(attempt.statusCode);
  return `${attempt.startedAt}  ${attempt.source}  attempt ${attempt.attempt}  ${status}  ${formatDuration(attempt.durationMs)}  → ${printable(attempt.url)}`;
}

/** deliveries list: a row per recorded attempt, its status green when the app accepted it and red otherwise. */
export function printDeliveryTable(out: Output, attempts: readonly DeliveryAttempt[]): void {
  const { c } = out;
  out.table(
    ["ID", "SENT", "SOURCE", "EVENT", "TRY", "STATUS", "TIME", "URL"],
    attempts.map((a) => [
      String(a.id),
      tableTime(a.startedAt),
      a.source,
      printable(a.event ?? ""),
      String(a.attempt),
      a.statusCode === null
        ? c.red(printable(a.error ?? "error"))
        : a.statusCode < 300
          ? c.green(String(a.statusCode))
          : c.red(String(a.statusCode)),
      formatDuration(a.durationMs),
      printable(a.url),
    ]),
  );
}

export { storedAttemptJson as deliveryAttemptJson } from "../delivery/attempt-json.js";
