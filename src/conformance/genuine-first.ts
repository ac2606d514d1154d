import type { CheckId } from "./checks.js";
import { accepted } from "./exchange.js";
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
