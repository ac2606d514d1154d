import type { DeliveryReport } from "../delivery/deliver.js";
import { playScenario } from "../delivery/scenario-player.js";
import type { WebhookEnvelope } from "../events/fixtures.js";
import { isResendStep, type Scenario } from "../events/scenario.js";
import { accepted, answerText, cutOff, notRetried, notRetriedWhy, type Exchange } from "./exchange.js";
import { fail, pass, warn, type ProbeContext, type ProbeOutcome } from "./probe-context.js";
import { genuine, type ProbeRequest } from "./requests.js";

/** Scenario delays are divided by this: the order matters here, not the pauses. */
const SCENARIO_SPEED = 100;

/** Each request must be answered 2xx; a 5XX only warns where Pinwheel's retries could still save the event. */
export async function mustAccept(ctx: ProbeContext, requests: readonly ProbeRequest[], serverErrors: "fail" | "warn" = "fail"): Promise<ProbeOutcome> {
  const exchanges: Exchange[] = [];
  for (const request of requests) exchanges.push(await ctx.send(request));
  return judgeAccepted(exchanges, serverErrors);
}

function judgeAccepted(exchanges: readonly Exchange[], serverErrors: "fail" | "warn" = "fail"): ProbeOutcome {
  const refused = exchanges.filter((exchange) => !accepted(exchange) || cutOff(exchange));
  const [firstRefused] = refused;
  const brokeOff = refused.every(cutOff);
  if (!firstRefused) {
    const [only] = exchanges;
    return pass(`accepted (${only && exchanges.length === 1 ? answerText(only) : `${exchanges.length} × 2xx`})`);
  }
  const what = refusalText(exchanges, refused);
  const lost = notRetried(refused);
  const retried = brokeOff
    ? "the answer did not come whole after its status: Pinwheel counts that as a failed attempt and delivers the event again; send the whole answer"
    : "Pinwheel retries a 5XX, up to 5 times in 15 minutes; after that the event is gone";
  if (!lost && serverErrors === "warn") return warn(`${what} (${retried})`, refused);
  const events = refused.length === 1 ? "the event" : "these events";
  const unauthorized = refused.every((exchange) => exchange.answer.statusCode === 401 || exchange.answer.statusCode === 403);
  const hint = brokeOff
    ? ` (${retried})`
    : unauthorized && refused.length < exchanges.length
    ? ` (refused as unauthorized, though ${exchanges.length - refused.length} other genuine ${exchanges.length - refused.length === 1 ? "event" : "events"} signed the same way verified: the secret is right, and the signature is checked over something other than the raw body bytes, such as text decoded from them (UTF-16, latin1) or re-serialized JSON)`
    : unauthorized
    ? " (refused as unauthorized: is the handler verifying with the same secret as --secret, over the raw body, reading x-pinwheel-signature and x-timestamp case-insensitively?)"
    : lost === "a 4XX"
      ? ` (${notRetriedWhy(lost)}: ${events} would be lost)`
      : lost === "a redirect"
        ? ` (${notRetriedWhy(lost)}, so ${events} would be lost; register the URL it redirects to)`
        : "";
  return fail(`${what}${hint}`, refused);
}

/** "answered 401 to ...", "3 of 20 not answered 2xx: a → 401; ...": what was refused, before any guess at why. */
export function refusalText(exchanges: readonly Exchange[], refused: readonly Exchange[]): string {
  const [firstRefused] = refused;
  if (!firstRefused) return "";
  if (exchanges.length === 1) return `answered ${answerText(firstRefused)} to ${firstRefused.label}`;
  const listed = refused
    .slice(0, 5)
    .map((exchange) => `${exchange.label} → ${answerText(exchange)}`)
    .join("; ");
  return `${refused.length} of ${exchanges.length} not answered ${refused.every(cutOff) ? "whole" : "2xx"}: ${listed}${refused.length > 5 ? "; ..." : ""}`;
}

/** The at-least-once scenario with its duplicates and resends taken out: only the order is tested. */
export function withoutDuplicates(scenario: Scenario): Scenario {
  return {
    ...scenario,
    steps: scenario.steps.filter((step) => !isResendStep(step)).map(({ duplicate: _duplicate, ...step }) => step),
  };
}

export async function playAndJudge(ctx: ProbeContext, scenario: Scenario): Promise<ProbeOutcome> {
  const exchanges: Exchange[] = [];
  await playScenario(scenario, {
    speed: SCENARIO_SPEED,
    ids: ctx.endUserId !== undefined ? { endUserId: ctx.endUserId } : {},
    now: () => ctx.nowMs(),
    send: async (delivery): Promise<DeliveryReport> => {
      const envelope = JSON.parse(delivery.body.toString("utf8")) as WebhookEnvelope;
      const order = delivery.outOfOrder ? " (delivered after a later step)" : "";
      const exchange = await ctx.send(genuine(ctx.signer, envelope, `step ${delivery.step} ${delivery.event}${order}`));
      exchanges.push(exchange);
      const attempt = { ...exchange.answer, url: exchange.sent.url, startedAt: "", attempt: 1, ok: accepted(exchange) };
      return { ok: attempt.ok, attempts: [attempt], final: attempt };
    },
  });
  return judgeAccepted(exchanges);
}
