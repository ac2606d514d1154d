import { EVENT_NAMES, type EventName } from "../events/catalog.js";
import type { WebhookEnvelope } from "../events/fixtures.js";
import { loadScenario } from "../events/scenario.js";
import { mustAccept, playAndJudge, withoutDuplicates } from "./acceptance.js";
import { RESPONSE_TIME_WARN_MS, type CheckId } from "./checks.js";
import { accepted, answered, answerText } from "./exchange.js";
import { idempotency, UNOBSERVED } from "./idempotency.js";
import { offSchemaPayload } from "./off-schema.js";
import { build, checkEvent, fail, pass, warn, type Probe } from "./probe-context.js";
import { mustRefuse } from "./refusal.js";
import { alteredEnvelope, forgeries, genuine, reformatted } from "./requests.js";

/** Events the checks send, chosen among those that carry payload.end_user_id. */
const IDEMPOTENCY_EVENT: EventName = "paystubs.added";
const UNKNOWN_EVENT_BASE: EventName = "income.added";
const EXTRA_FIELDS_EVENT: EventName = "employment.added";
const CONTENT_TYPE_EVENT: EventName = "identity.added";
/** The added field's text: non-ASCII, so a handler that decodes the body before its HMAC signs other bytes. */
export const EXTRA_FIELD_TEXT = "pinwheel-cli conformance: Café Zoë ✓";
export const NON_ASCII_FIX = "compute the HMAC over the raw body bytes (a Buffer), never over a string decoded from them; decode as UTF-8 only to parse the JSON";
const CAPITALIZED = ["Content-Type", "X-Pinwheel-Signature", "X-Timestamp"];
const capitalize = (name: string) => name.replace(/(^|-)([a-z])/g, (_, dash: string, letter: string) => dash + letter.toUpperCase());
export const CASE_FIX = "look the headers up case-insensitively (lower-case the names first, or your framework's headers.get())";
/** Not in the catalog, and never will be: Pinwheel's names have no "pinwheel_cli" family. */
export const UNKNOWN_EVENT_NAME = "pinwheel_cli_conformance.probed";
const OUT_OF_ORDER_SCENARIO = "at-least-once";

/** What a pass without --state-url cannot show (docs/conformance.md: the checks say what they could not see). */
const unseen = (copy: "duplicate" | "retry") => `(whether the ${copy} was processed again cannot be seen without --state-url)`;
/** A pass's note that it checked the answers only. */
const UNCHECKED_STATE = "double processing not checked without --state-url";
const PENDING_SCENARIO = "pending-then-success";

export const PROBES: Record<CheckId, Probe> = {
  async "genuine-events"(ctx) {
    const outcome = await mustAccept(
      ctx,
      ctx.events.map((name) => genuine(ctx.signer, build(ctx, name), name)),
    );
    // The suite's first check: every exchange so far is one of its genuine events.
    ctx.memory.acceptedNoGenuine = !ctx.exchanges.some(accepted);
    if (ctx.events.length === EVENT_NAMES.length) return outcome;
    const named = ctx.events.length <= 3 ? ctx.events.join(", ") : `${ctx.events.length} chosen events`;
    return { ...outcome, sent: `${named}, correctly signed` };
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
    const first = genuine(ctx.signer, build(ctx, checkEvent(ctx, IDEMPOTENCY_EVENT)), "first delivery");
    const result = await idempotency(ctx, first, { ...first, label: "the same request again (same bytes, event_id and headers)" });
    if (result.outcome) return result.outcome;
    ctx.memory.duplicateProcessedTwice = result.changed !== undefined;
    if (result.changed) {
      return fail(`answered ${result.answers}, but --state-url went from ${result.changed.from.text} to ${result.changed.to.text} on the duplicate: it processed the same event_id twice`, [result.second]);
    }
    if (result.unobserved) return warn(`answered ${result.answers}, ${UNOBSERVED}`, []);
    if (!ctx.state) return { ...pass(`answered ${result.answers} ${unseen("duplicate")}`), unchecked: UNCHECKED_STATE };
    return pass(`answered ${result.answers}; --state-url unchanged by the duplicate`);
  },

  async "unknown-event"(ctx) {
    const envelope = build(ctx, checkEvent(ctx, UNKNOWN_EVENT_BASE));
    envelope.event = UNKNOWN_EVENT_NAME;
    envelope.payload.name = "pinwheel_cli_conformance";
    return mustAccept(ctx, [genuine(ctx.signer, envelope, `"${UNKNOWN_EVENT_NAME}", correctly signed`)], "warn");
  },

  async "extra-fields"(ctx) {
    const event = checkEvent(ctx, EXTRA_FIELDS_EVENT);
    const envelope = build(ctx, event);
    // Its text is not ASCII (sent as UTF-8 bytes, as JSON is): a new field may carry a name.
    const added = { added_by: EXTRA_FIELD_TEXT, nested: { flag: true } };
    Object.assign(envelope as unknown as Record<string, unknown>, { pinwheel_cli_added_field: added });
    envelope.payload.pinwheel_cli_added_field = added;
    const params = envelope.payload.params;
    if (typeof params === "object" && params !== null && !Array.isArray(params)) (params as Record<string, unknown>).pinwheel_cli_added_field = 1;
    // Whether the handler had verified anything before: then the secret is right.
    const verifiedBefore = ctx.exchanges.some(accepted);
    const outcome = await mustAccept(ctx, [genuine(ctx.signer, envelope, `${event} with fields Pinwheel may add tomorrow`)], "warn");
    const [refused] = outcome.evidence ?? [];
    if (outcome.verdict !== "fail" || !verifiedBefore || !refused || (refused.answer.statusCode !== 401 && refused.answer.statusCode !== 403)) return outcome;
    return fail(
      `answered ${answerText(refused)} to ${refused.label}, whose added field holds non-ASCII text (${JSON.stringify(EXTRA_FIELD_TEXT)}, UTF-8 bytes), though it verified ASCII bodies before: its signature check reads the body as text in another encoding (latin1, UTF-16) instead of its raw bytes`,
      [refused],
      NON_ASCII_FIX,
    );
  },

  "off-schema-payload": offSchemaPayload,

  "out-of-order": (ctx) => playAndJudge(ctx, withoutDuplicates(loadScenario(OUT_OF_ORDER_SCENARIO))),

  "pending-then-result": (ctx) => playAndJudge(ctx, loadScenario(PENDING_SCENARIO)),

  async "retried-delivery"(ctx) {
    const envelope = build(ctx, checkEvent(ctx, IDEMPOTENCY_EVENT));
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
      if (ctx.memory.duplicateProcessedTwice) return warn(`answered ${result.answers}, but ${moved}: the same missing dedupe as duplicate-delivery`, [result.second]);
      // Without duplicate-delivery's verdict (--checks), no dedupe at all looks the same as a key that changes.
      const why =
        ctx.memory.duplicateProcessedTwice === false
          ? ", though it ignored an identical copy: the dedupe key changes on a retry (the signature or the timestamp?)"
          : ": it processed the same event_id twice (no dedupe on event_id, or a key that changes on a retry: the signature or the timestamp?)";
      return fail(`answered ${result.answers}, but ${moved}${why}`, [result.second]);
    }
    if (result.unobserved) return warn(`answered ${result.answers}, ${UNOBSERVED}`, []);
    if (!ctx.state) return { ...pass(`answered ${result.answers} ${unseen("retry")}`), unchecked: UNCHECKED_STATE };
    return pass(`answered ${result.answers}; --state-url unchanged by the retry`);
  },

  async "content-type"(ctx) {
    const event = checkEvent(ctx, CONTENT_TYPE_EVENT);
    const request = genuine(ctx.signer, build(ctx, event), "content-type: application/json; charset=utf-8");
    request.headers["content-type"] = "application/json; charset=utf-8";
    const outcome = await mustAccept(ctx, [request]);
    if (outcome.verdict !== "pass") return outcome;
    // HTTP header names are case-insensitive, and nothing promises the case Pinwheel's are sent in.
    const capitalized = genuine(ctx.signer, build(ctx, event), `${event} with its header names capitalized (${CAPITALIZED.join(", ")})`);
    capitalized.headers = Object.fromEntries(Object.entries(capitalized.headers).map(([name, value]) => [capitalize(name), value]));
    const exchange = await ctx.send(capitalized);
    if (accepted(exchange)) return pass(`accepted (${answerText(exchange)} ×2: the charset, and capitalized header names)`);
    // A warning, not a failure: Pinwheel's docs write the names in lower case, and nothing says
    // which case its deliveries use; a proxy or a switch of HTTP client may change it.
    return warn(
      `answered ${answerText(exchange)} to ${exchange.label}, though it accepted the same event with lower-case names: it reads headers by their exact case, and HTTP header names are case-insensitive (a proxy or HTTP client may capitalize them)`,
      [exchange],
      CASE_FIX,
    );
  },

  async "response-time"(ctx) {
    const timed = ctx.exchanges.filter((exchange) => answered(exchange) || exchange.answer.errorKind === "timeout");
    const [slowest] = [...timed].sort((a, b) => b.answer.durationMs - a.answer.durationMs);
    if (!slowest) return warn("no answers to time", []);
    const late = timed.filter((exchange) => !answered(exchange) || exchange.answer.durationMs > ctx.timeoutMs);
    const durations = timed.filter(answered).map((exchange) => exchange.answer.durationMs).sort((a, b) => a - b);
    // No answered durations (all timed out): the index is -1 and p95 is Infinity.
    const p95 = durations[Math.ceil(durations.length * 0.95) - 1] ?? Infinity;
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
