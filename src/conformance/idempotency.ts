import { accepted, answerText, notRetried, notRetriedWhy, type Exchange } from "./exchange.js";
import { fail, type ProbeContext, type ProbeOutcome } from "./probe-context.js";
import type { ProbeRequest } from "./requests.js";
import type { StateReading } from "./state.js";

/** Either a verdict already (a copy was refused), or both copies accepted and what the state did. */
export type IdempotencyResult =
  | { outcome: ProbeOutcome; answers: string; second?: Exchange; changed?: undefined; unobserved?: undefined }
  | { outcome?: undefined; answers: string; second: Exchange; changed?: { from: StateReading; to: StateReading }; unobserved?: boolean };

/**
 * Sends the first copy and the second, reading --state-url around the second. The first reading
 * waits for the earlier checks' deliveries to be stored (a handler that answers first and stores
 * a moment later): their late storing would otherwise count as the duplicate's.
 */
export async function idempotency(ctx: ProbeContext, first: ProbeRequest, second: ProbeRequest): Promise<IdempotencyResult> {
  const before = ctx.state && (await ctx.state.quiet());
  const one = await ctx.send(first);
  if (!accepted(one)) return { outcome: fail(`answered ${answerText(one)} to the first delivery: ${first.label}`, [one]), answers: "" };
  const afterFirst = ctx.state && before && (await ctx.state.settle(before));
  const two = await ctx.send(second);
  const answers = `${answerText(one)}, then ${answerText(two)}`;
  if (!accepted(two)) {
    const notAgain = notRetried([two]);
    const lost = notAgain ? `; ${notRetriedWhy(notAgain)}` : "";
    return { outcome: fail(`answered ${answerText(two)} to ${second.label}${lost}`, [two]), answers, second: two };
  }
  if (!ctx.state || !afterFirst || !before) return { answers, second: two };
  const afterSecond = await ctx.state.settle(afterFirst);
  if (afterSecond.value !== afterFirst.value) return { changed: { from: afterFirst, to: afterSecond }, answers, second: two };
  return { unobserved: afterFirst.value === before.value, answers, second: two };
}

export const UNOBSERVED = "but --state-url did not change after the first delivery either, so it cannot show a second processing (does it count what the handler stores?)";
