import type { CheckId } from "./checks.js";
import { refusalText } from "./acceptance.js";
import { accepted, answered } from "./exchange.js";
import type { CheckResult } from "./runner.js";
import type { ProbeContext, ProbeOutcome } from "./probe-context.js";

export const GENUINE_FIRST_FIX = "make genuine-events pass first: the handler accepted no genuine event, so this check fails for the same reason";

/**
 * A check that fails because a genuine request it sent was refused, in a run where no genuine
 * event was accepted at all, fails for genuine-events' reason: its own fix (match the media type,
 * accept unknown fields) would send the developer the wrong way.
 */
export function blamedOnGenuineEvents(ctx: Pick<ProbeContext, "memory">, id: CheckId, outcome: ProbeOutcome): ProbeOutcome {
  if (!ctx.memory.acceptedNoGenuine || id === "genuine-events" || id === "response-time" || outcome.verdict !== "fail") return outcome;
  const evidence = outcome.evidence ?? [];
  if (evidence.length === 0 || evidence.some(accepted)) return outcome;
  return { ...outcome, fix: GENUINE_FIRST_FIX };
}

/** The checks whose every request must be refused, timestamp-in-milliseconds aside. */
const FORGERIES: readonly CheckId[] = ["forged-signature", "tampered-body", "wrong-secret", "missing-signature", "missing-timestamp", "stale-timestamp"];

export const MILLISECONDS_FIX =
  "x-timestamp is Unix seconds: compare it with the current time in seconds, and do not divide it by 1000 (in JavaScript, Date.now() is milliseconds)";

/**
 * genuine-events refused every event while timestamp-in-milliseconds' 13-digit x-timestamp was
 * accepted: the handler reads x-timestamp as milliseconds, so every genuine (seconds) timestamp
 * looks decades old. That, not the secret or the raw body, is genuine-events' likely cause. Read
 * once the suite is done, since timestamp-in-milliseconds runs after genuine-events.
 */
export function readsMilliseconds(results: readonly CheckResult[]): CheckResult[] {
  const genuine = results.find((result) => result.id === "genuine-events");
  const milliseconds = results.find((result) => result.id === "timestamp-in-milliseconds");
  if (!genuine || genuine.verdict !== "fail" || !milliseconds?.exchanges.some(accepted)) return [...results];
  const refusedAll = genuine.exchanges.length > 0 && genuine.exchanges.every((exchange) => !accepted(exchange) && answered(exchange));
  // A handler that let another forgery in (one that answers strangers 200 unverified) took the 13-digit one for another reason.
  const otherForgeryAccepted = results.some((result) => FORGERIES.includes(result.id) && result.exchanges.some(accepted));
  if (!refusedAll || otherForgeryAccepted) return [...results];
  const cause = "(the handler seems to read x-timestamp as milliseconds: it accepted a 13-digit one in timestamp-in-milliseconds; x-timestamp is Unix seconds)";
  const explained: CheckResult = { ...genuine, message: `${refusalText(genuine.exchanges, genuine.exchanges)} ${cause}`, fix: MILLISECONDS_FIX };
  return results.map((result) => (result === genuine ? explained : result));
}
