import { randomBytes } from "node:crypto";
import { buildEvent } from "../events/build.js";
import type { EventName } from "../events/catalog.js";
import type { WebhookEnvelope } from "../events/fixtures.js";
import { isResendStep, loadScenario, type Scenario } from "../events/scenario.js";
import { playScenario } from "../delivery/scenario-player.js";
import type { DeliveryReport } from "../delivery/deliver.js";
import { RESPONSE_TIME_WARN_MS, type CheckId } from "./checks.js";
import { accepted, answered, answerText, type Exchange } from "./exchange.js";
import { alteredEnvelope, forgeries, genuine, reformatted, type ProbeRequest, type Signer } from "./requests.js";
import type { StateReader, StateReading } from "./state.js";
import type { Verdict } from "./verdict.js";

export interface ProbeContext {
  toleranceSeconds: number;
  /** Pinwheel's timeout: an answer later than this fails response-time. */
  timeoutMs: number;
  endUserId?: string;
  events: readonly EventName[];
  signer: Signer;
  nowMs(): number;
  send(request: ProbeRequest): Promise<Exchange>;
  /** Every exchange of the run so far, all checks. */
  exchanges: readonly Exchange[];
  state?: { read: StateReader; settle(from: StateReading): Promise<StateReading> };
  /** What one check learned that a later one needs (retried-delivery asks duplicate-delivery). */
  memory: { duplicateProcessedTwice?: boolean };
}

export interface ProbeOutcome {
  verdict: Verdict;
  message: string;
  /** Replaces the check's usual fix when the failure has a more precise one. */
  fix?: string;
  /** What came back, when it is not the check's own answers (response-time's p95). */
  answered?: string;
  /** The exchanges that show the problem, for a fail or a warning. */
  evidence?: Exchange[];
}

export type Probe = (ctx: ProbeContext) => Promise<ProbeOutcome>;

/** Events the checks send, chosen among those that carry payload.end_user_id. */
const REFUSAL_EVENT: EventName = "income.added";
const IDEMPOTENCY_EVENT: EventName = "paystubs.added";
const EXTRA_FIELDS_EVENT: EventName = "employment.added";
const CONTENT_TYPE_EVENT: EventName = "identity.added";
/** Not in the catalog, and never will be: Pinwheel's names have no "pinwheel_cli" family. */
export const UNKNOWN_EVENT_NAME = "pinwheel_cli_conformance.probed";
const OUT_OF_ORDER_SCENARIO = "at-least-once";
const PENDING_SCENARIO = "pending-then-success";
/** Scenario delays are divided by this: the order matters here, not the pauses. */
const SCENARIO_SPEED = 100;

function build(ctx: ProbeContext, name: EventName, endUserId = ctx.endUserId): WebhookEnvelope {
  const envelope = buildEvent(name, { now: ctx.nowMs() });
  if (endUserId !== undefined && "end_user_id" in envelope.payload) envelope.payload.end_user_id = endUserId;
  return envelope;
}

const pass = (message: string): ProbeOutcome => ({ verdict: "pass", message });
const fail = (message: string, evidence: Exchange[], fix?: string): ProbeOutcome => ({ verdict: "fail", message, evidence, fix });
const warn = (message: string, evidence: Exchange[]): ProbeOutcome => ({ verdict: "warn", message, evidence });

function noAnswer(exchange: Exchange): ProbeOutcome {
  return fail(`no answer to ${exchange.label}: ${answerText(exchange)}`, [exchange]);
}

interface Forgery {
  /** What the forgery is, for messages: "a made-up signature (...)". */
  hole: string;
  make(genuineRequest: ProbeRequest, label: string): ProbeRequest;
}

const LOOKUP_FIX = "verify the signature and timestamp first, before looking anything up; an unverified request must not learn or change anything";

/**
 * Each forgery must be refused. It is sent for an end user the app cannot know and, with
 * --end-user-id, for one it does: a handler that looks the end user up before verifying answers
 * 2xx to the first ("unknown, ignore") and only verifies the second.
 */
async function mustRefuse(ctx: ProbeContext, list: readonly Forgery[]): Promise<ProbeOutcome> {
  const refusals: string[] = [];
  const failures: ProbeOutcome[] = [];
  // Every forgery is sent even after one got through: the report shows all of them.
  for (const forgery of list) {
    const outcome = await refuseOne(ctx, forgery);
    if (typeof outcome === "string") refusals.push(outcome);
    else failures.push(outcome);
  }
  return failures[0] ?? pass(`refused (${refusals.join("; ")})`);
}

async function refuseOne(ctx: ProbeContext, forgery: Forgery): Promise<ProbeOutcome | string> {
  const stranger = `unknown_user_${randomBytes(4).toString("hex")}`;
  const unknown = await ctx.send(forgery.make(genuine(ctx.signer, build(ctx, REFUSAL_EVENT, stranger), ""), `${forgery.hole}, unknown end user`));
  let known: Exchange | undefined;
  if (ctx.endUserId !== undefined) {
    known = await ctx.send(forgery.make(genuine(ctx.signer, build(ctx, REFUSAL_EVENT), ""), `${forgery.hole}, --end-user-id ${ctx.endUserId}`));
  }
  if (!answered(unknown)) return noAnswer(unknown);
  if (known && !answered(known)) return noAnswer(known);
  const [a, b] = [answerText(unknown), known && answerText(known)];
  if (accepted(unknown) && known && !accepted(known)) {
    return fail(`answered ${a} to ${forgery.hole} for an unknown end user but ${b} for --end-user-id ${ctx.endUserId}: it verifies only after a lookup`, [unknown, known], LOOKUP_FIX);
  }
  if (accepted(unknown) && known) return fail(`answered ${a} to ${forgery.hole}, for an unknown end user and for --end-user-id ${ctx.endUserId}`, [unknown, known]);
  if (accepted(unknown)) {
    return fail(`answered ${a} to ${forgery.hole} (if it refuses this for an end user it knows, it verifies only after a lookup; pass --end-user-id to tell)`, [unknown]);
  }
  if (known && accepted(known)) {
    return fail(
      `answered ${b} to ${forgery.hole} for --end-user-id ${ctx.endUserId} (${a} for an unknown end user): it refuses unknown end users before verifying, and accepts the known ones unverified`,
      [known],
      LOOKUP_FIX,
    );
  }
  return b ? `${a}, ${b} for --end-user-id` : a;
}

/** Each request must be answered 2xx; a 5XX only warns where Pinwheel's retries could still save the event. */
async function mustAccept(ctx: ProbeContext, requests: readonly ProbeRequest[], serverErrors: "fail" | "warn" = "fail"): Promise<ProbeOutcome> {
  const exchanges: Exchange[] = [];
  for (const request of requests) exchanges.push(await ctx.send(request));
  return judgeAccepted(exchanges, serverErrors);
}

function judgeAccepted(exchanges: readonly Exchange[], serverErrors: "fail" | "warn" = "fail"): ProbeOutcome {
  const refused = exchanges.filter((exchange) => !accepted(exchange));
  if (refused.length === 0) return pass(`accepted (${exchanges.length === 1 ? answerText(exchanges[0]!) : `${exchanges.length} × 2xx`})`);
  const listed = refused
    .slice(0, 5)
    .map((exchange) => `${exchange.label} → ${answerText(exchange)}`)
    .join("; ");
  const what =
    exchanges.length === 1
      ? `answered ${answerText(refused[0]!)} to ${refused[0]!.label}`
      : `${refused.length} of ${exchanges.length} not answered 2xx: ${listed}${refused.length > 5 ? "; ..." : ""}`;
  const lost = refused.some((exchange) => exchange.answer.statusCode !== undefined && exchange.answer.statusCode < 500);
  if (!lost && serverErrors === "warn") return warn(`${what} (Pinwheel retries a 5XX, up to 5 times in 15 minutes; after that the event is gone)`, refused);
  const unauthorized = refused.every((exchange) => exchange.answer.statusCode === 401 || exchange.answer.statusCode === 403);
  const hint = unauthorized
    ? " (refused as unauthorized: is the handler verifying with the same secret as --secret, over the raw body?)"
    : lost
      ? ` (Pinwheel never retries a 4XX: ${refused.length === 1 ? "the event" : "these events"} would be lost)`
      : "";
  return fail(`${what}${hint}`, refused);
}

/** The at-least-once scenario with its duplicates and resends taken out: only the order is tested. */
function withoutDuplicates(scenario: Scenario): Scenario {
  return {
    ...scenario,
    steps: scenario.steps.filter((step) => !isResendStep(step)).map(({ duplicate: _duplicate, ...step }) => step),
  };
}

async function playAndJudge(ctx: ProbeContext, scenario: Scenario): Promise<ProbeOutcome> {
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

/** Sends the first copy and the second, reading --state-url around the second. */
async function idempotency(
  ctx: ProbeContext,
  first: ProbeRequest,
  second: ProbeRequest,
): Promise<{ outcome?: ProbeOutcome; changed?: { from: StateReading; to: StateReading }; unobserved?: boolean; answers: string; second?: Exchange }> {
  const before = ctx.state && (await ctx.state.read());
  const one = await ctx.send(first);
  if (!accepted(one)) return { outcome: fail(`answered ${answerText(one)} to the first delivery: ${first.label}`, [one]), answers: "" };
  const afterFirst = ctx.state && before && (await ctx.state.settle(before));
  const two = await ctx.send(second);
  const answers = `${answerText(one)}, then ${answerText(two)}`;
  if (!accepted(two)) {
    const lost = two.answer.statusCode !== undefined && two.answer.statusCode < 500 ? "; Pinwheel never retries a 4XX" : "";
    return { outcome: fail(`answered ${answerText(two)} to ${second.label}${lost}`, [two]), answers, second: two };
  }
  if (!ctx.state || !afterFirst || !before) return { answers, second: two };
  const afterSecond = await ctx.state.settle(afterFirst);
  if (afterSecond.value !== afterFirst.value) return { changed: { from: afterFirst, to: afterSecond }, answers, second: two };
  return { unobserved: afterFirst.value === before.value, answers, second: two };
}

const UNOBSERVED = "but --state-url did not change after the first delivery either, so it cannot show a second processing (does it count what the handler stores?)";

export const PROBES: Record<CheckId, Probe> = {
  async "genuine-events"(ctx) {
    return mustAccept(
      ctx,
      ctx.events.map((name) => genuine(ctx.signer, build(ctx, name), name)),
    );
  },

  "forged-signature": (ctx) =>
    mustRefuse(ctx, [{ hole: "a made-up signature (v2= and 16 hex characters, not an HMAC)", make: (request, label) => forgeries.madeUpSignature(request, label) }]),

  "tampered-body": (ctx) =>
    mustRefuse(ctx, [
      {
        hole: "a body changed after signing (payload.account_id altered)",
        make: (request, label) => forgeries.withBody(request, JSON.stringify(alteredEnvelope(JSON.parse(request.body) as WebhookEnvelope)), label),
      },
      {
        hole: "a body whose bytes differ from the signed ones though its JSON is the same: it verifies re-serialized JSON (parsed before verifying), not the raw bytes",
        make: (request, label) => forgeries.withBody(request, reformatted(request.body), label),
      },
    ]),

  "wrong-secret": (ctx) =>
    mustRefuse(ctx, [{ hole: "a signature made with another secret", make: (request, label) => forgeries.wrongSecret(ctx.signer, request, label) }]),

  "missing-signature": (ctx) =>
    mustRefuse(ctx, [{ hole: "a request without x-pinwheel-signature", make: (request, label) => forgeries.withoutSignature(request, label) }]),

  "missing-timestamp": (ctx) =>
    mustRefuse(ctx, [{ hole: "a request without x-timestamp", make: (request, label) => forgeries.withoutTimestamp(ctx.signer, request, label) }]),

  "stale-timestamp": (ctx) => {
    const age = ctx.toleranceSeconds + 60;
    return mustRefuse(ctx, [
      {
        hole: `a genuine signature over an x-timestamp ${age} s old (tolerance ${ctx.toleranceSeconds} s)`,
        make: (request, label) => genuine(ctx.signer, JSON.parse(request.body) as WebhookEnvelope, label, ctx.signer.nowSeconds() - age),
      },
    ]);
  },

  "timestamp-in-milliseconds": (ctx) =>
    mustRefuse(ctx, [
      {
        hole: "a genuine signature over an x-timestamp in milliseconds (read as seconds, far in the future)",
        make: (request, label) => genuine(ctx.signer, JSON.parse(request.body) as WebhookEnvelope, label, ctx.nowMs()),
      },
    ]),

  async "duplicate-delivery"(ctx) {
    const first = genuine(ctx.signer, build(ctx, IDEMPOTENCY_EVENT), "first delivery");
    const result = await idempotency(ctx, first, { ...first, label: "the same request again (same bytes, event_id and headers)" });
    if (result.outcome) return result.outcome;
    ctx.memory.duplicateProcessedTwice = result.changed !== undefined;
    if (result.changed) {
      return fail(`answered ${result.answers}, but --state-url went from ${result.changed.from.text} to ${result.changed.to.text} on the duplicate: it processed the same event_id twice`, [result.second!]);
    }
    if (result.unobserved) return warn(`answered ${result.answers}, ${UNOBSERVED}`, []);
    return pass(`answered ${result.answers}${ctx.state ? "; --state-url unchanged by the duplicate" : ""}`);
  },

  async "unknown-event"(ctx) {
    const envelope = build(ctx, REFUSAL_EVENT);
    envelope.event = UNKNOWN_EVENT_NAME;
    envelope.payload.name = "pinwheel_cli_conformance";
    return mustAccept(ctx, [genuine(ctx.signer, envelope, `"${UNKNOWN_EVENT_NAME}", correctly signed`)], "warn");
  },

  async "extra-fields"(ctx) {
    const envelope = build(ctx, EXTRA_FIELDS_EVENT);
    const added = { added_by: "pinwheel-cli conformance", nested: { flag: true } };
    Object.assign(envelope as unknown as Record<string, unknown>, { pinwheel_cli_added_field: added });
    envelope.payload.pinwheel_cli_added_field = added;
    const params = envelope.payload.params;
    if (typeof params === "object" && params !== null && !Array.isArray(params)) (params as Record<string, unknown>).pinwheel_cli_added_field = 1;
    return mustAccept(ctx, [genuine(ctx.signer, envelope, `${EXTRA_FIELDS_EVENT} with fields Pinwheel may add tomorrow`)], "warn");
  },

  "out-of-order": (ctx) => playAndJudge(ctx, withoutDuplicates(loadScenario(OUT_OF_ORDER_SCENARIO))),

  "pending-then-result": (ctx) => playAndJudge(ctx, loadScenario(PENDING_SCENARIO)),

  async "retried-delivery"(ctx) {
    const envelope = build(ctx, IDEMPOTENCY_EVENT);
    const now = ctx.signer.nowSeconds();
    const earlier = now - Math.min(30, Math.floor(ctx.toleranceSeconds / 2));
    const first = genuine(ctx.signer, envelope, `first attempt (x-timestamp ${earlier})`, earlier);
    const retry = genuine(ctx.signer, envelope, `a retry: same body and event_id, re-signed with x-timestamp ${now}`, now);
    const result = await idempotency(ctx, first, retry);
    if (result.outcome) {
      return result.outcome.verdict === "fail" && result.answers
        ? fail(`${result.outcome.message}: it refuses a known event_id with a new timestamp (replay protection keyed on event_id?)`, result.outcome.evidence ?? [])
        : result.outcome;
    }
    if (result.changed) {
      const moved = `--state-url went from ${result.changed.from.text} to ${result.changed.to.text} on the retry`;
      if (ctx.memory.duplicateProcessedTwice) return warn(`answered ${result.answers}, but ${moved}: the same missing dedupe as duplicate-delivery`, [result.second!]);
      return fail(
        `answered ${result.answers}, but ${moved}${ctx.memory.duplicateProcessedTwice === false ? ", though it ignored an identical copy" : ""}: the dedupe key changes on a retry (the signature or the timestamp?)`,
        [result.second!],
      );
    }
    if (result.unobserved) return warn(`answered ${result.answers}, ${UNOBSERVED}`, []);
    return pass(`answered ${result.answers}${ctx.state ? "; --state-url unchanged by the retry" : ""}`);
  },

  async "content-type"(ctx) {
    const request = genuine(ctx.signer, build(ctx, CONTENT_TYPE_EVENT), "content-type: application/json; charset=utf-8");
    request.headers["content-type"] = "application/json; charset=utf-8";
    return mustAccept(ctx, [request]);
  },

  async "response-time"(ctx) {
    const timed = ctx.exchanges.filter((exchange) => answered(exchange) || exchange.answer.errorKind === "timeout");
    if (timed.length === 0) return warn("no answers to time", []);
    const late = timed.filter((exchange) => !answered(exchange) || exchange.answer.durationMs > ctx.timeoutMs);
    const durations = timed.filter(answered).map((exchange) => exchange.answer.durationMs).sort((a, b) => a - b);
    const p95 = durations.length ? durations[Math.ceil(durations.length * 0.95) - 1]! : Infinity;
    const slowest = [...timed].sort((a, b) => b.answer.durationMs - a.answer.durationMs)[0]!;
    const stats = `p95 ${seconds(p95)} over ${timed.length} requests, slowest ${seconds(slowest.answer.durationMs)} (${slowest.label})`;
    const answeredText = `p95 ${seconds(p95)}`;
    if (late.length) {
      return {
        ...fail(
        `${late.length} of ${timed.length} answers came later than ${seconds(ctx.timeoutMs)} (${late
          .slice(0, 3)
          .map((exchange) => `${exchange.label}: ${answered(exchange) ? seconds(exchange.answer.durationMs) : answerText(exchange)}`)
          .join("; ")}): Pinwheel would count them failed and retry; ${stats}`,
          late,
        ),
        answered: answeredText,
      };
    }
    if (p95 > RESPONSE_TIME_WARN_MS) return { ...warn(`${stats}: above ${seconds(RESPONSE_TIME_WARN_MS)}, close to Pinwheel's timeout`, [slowest]), answered: answeredText };
    return { ...pass(stats), answered: answeredText };
  },
};

function seconds(ms: number): string {
  return ms < 1000 ? `${Math.round(ms)} ms` : `${(ms / 1000).toFixed(2)} s`;
}
