import type { EventName } from "../events/catalog.js";
import type { WebhookEnvelope } from "../events/fixtures.js";
import { mustAccept } from "./acceptance.js";
import { cutOff, notRetried } from "./exchange.js";
import { build, type ProbeContext, type ProbeOutcome } from "./probe-context.js";
import { genuine, type ProbeRequest } from "./requests.js";

/**
 * An enum value no Pinwheel doc lists, and none will: what a handler gets the day Pinwheel adds
 * one (a new outcome, a new sync status) looks like this to it.
 */
export const UNLISTED_VALUE = "pinwheel_cli_unlisted_value";

/** One way a genuine, known event can be off its schema as Pinwheel's docs allow. */
interface Variant {
  /** The events it can be sent as, preferred first; the first the run sends is used. */
  events: readonly EventName[] | ((payload: Record<string, unknown>) => boolean);
  /** Changes the payload and says how, after the event's name: "without payload.params (documented optional)". */
  change(payload: Record<string, unknown>): string;
}

const params = (payload: Record<string, unknown>): Record<string, unknown> | undefined => {
  const value = payload.params;
  return typeof value === "object" && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined;
};

/**
 * The variants. Only fields the docs mark "(optional)" are left out (params of shifts.added and
 * direct_deposit_switch.added; the catalog's employment, identity and income events already come
 * without it in genuine-events), and only documented enums get a value they do not list.
 */
const VARIANTS: readonly Variant[] = [
  {
    events: ["shifts.added", "direct_deposit_switch.added"],
    change: (payload) => {
      delete payload.params;
      return "without payload.params (documented optional)";
    },
  },
  {
    events: (payload) => typeof payload.outcome === "string",
    change: (payload) => {
      payload.outcome = UNLISTED_VALUE;
      return `with payload.outcome "${UNLISTED_VALUE}" (not success, error or pending)`;
    },
  },
  {
    events: ["paystubs.added", "shifts.added"],
    change: (payload) => {
      payload.params = { ...params(payload), sync_status: UNLISTED_VALUE };
      return `with payload.params.sync_status "${UNLISTED_VALUE}" (not in_progress or complete)`;
    },
  },
  {
    events: ["account.monitoring_status.updated", "account.added"],
    change: (payload) => {
      const field = "current_monitoring_status" in payload ? "current_monitoring_status" : "monitoring_status";
      payload[field] = UNLISTED_VALUE;
      return `with payload.${field} "${UNLISTED_VALUE}" (not one of the five the docs list)`;
    },
  },
];

/** The preferred event of each list: the one the default run sends (income.added for an outcome). */
const OUTCOME_EVENT: EventName = "income.added";

function pick(ctx: ProbeContext, variant: Variant): WebhookEnvelope | undefined {
  const { events } = variant;
  if (typeof events !== "function") {
    const name = events.find((event) => ctx.events.includes(event));
    return name === undefined ? undefined : build(ctx, name);
  }
  // A predicate over the payload: the preferred event when the run sends it, else the first that fits.
  for (const name of ctx.events.includes(OUTCOME_EVENT) ? [OUTCOME_EVENT, ...ctx.events] : ctx.events) {
    const envelope = build(ctx, name);
    if (events(envelope.payload)) return envelope;
  }
  return undefined;
}

/** The requests the check sends: each variant as the first of its events the run sends (--events). */
export function offSchemaRequests(ctx: ProbeContext): ProbeRequest[] {
  const requests: ProbeRequest[] = [];
  for (const variant of VARIANTS) {
    const envelope = pick(ctx, variant);
    if (!envelope) continue;
    const what = variant.change(envelope.payload);
    requests.push(genuine(ctx.signer, envelope, `${envelope.event} ${what}`));
  }
  return requests;
}

export async function offSchemaPayload(ctx: ProbeContext): Promise<ProbeOutcome> {
  const requests = offSchemaRequests(ctx);
  if (requests.length === 0) {
    return {
      verdict: "pass",
      message: `nothing sent: none of the run's events (${ctx.events.join(", ")}) has an optional field or a documented enum this check varies`,
      unchecked: "no off-schema variant among --events",
    };
  }
  const outcome = await mustAccept(ctx, requests);
  const evidence = outcome.evidence ?? [];
  // A 5XX is retried, but with the same body: it fails the same way every time, then the event is gone.
  const crashed = evidence.some((exchange) => (exchange.answer.statusCode ?? 0) >= 500 && !cutOff(exchange));
  if (outcome.verdict !== "fail" || !crashed || notRetried(evidence)) return outcome;
  return { ...outcome, message: `${outcome.message} (Pinwheel retries a 5XX with the same body, which fails the same way: after 5 retries the event is lost)` };
}
