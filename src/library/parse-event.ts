import { isEventName, type EventName } from "../events/catalog.js";
import { jsonText } from "../events/json-text.js";
import { envelopeProblem } from "../events/envelope.js";
import { validateWebhookEvent, type PinwheelWebhookEvent, type SchemaIssue } from "../events/schemas.js";
import {
  byteLengthOf,
  hasSecret,
  isRawBody,
  MISSING_SECRET,
  rawBodyProblem,
  readHeader,
  toBytes,
  verifyHeadersOnly,
  verifyOptionsProblem,
  verifyWebhook,
  type HeaderBag,
  type RawBody,
  type VerifyWebhookOptions,
} from "../signing.js";
import { PinwheelWebhookError } from "./webhook-error.js";

/** One event of the union, by name: `WebhookEventOf<"paystubs.added">`. */
export type WebhookEventOf<N extends EventName> = Extract<PinwheelWebhookEvent, { event: N }>;

/**
 * A genuine delivery of an event this library knows. `issues` lists where the payload disagrees
 * with the event's schema (empty when it matches); where it is not empty, the fields it names
 * hold what Pinwheel sent, which may not be the type declared here.
 */
export type KnownPinwheelEvent = PinwheelWebhookEvent & { known: true; issues: SchemaIssue[] };

/** A genuine delivery of an event this library has no schema for (Pinwheel adds events over time). */
export interface UnknownPinwheelEvent {
  known: false;
  event: string;
  event_id: string;
  payload: unknown;
  /** At least one: the event name is not known. */
  issues: SchemaIssue[];
}

/**
 * What parseWebhookEvent returns. Check `known` first: TypeScript cannot narrow a union that has
 * a `event: string` member by comparing `event` with a literal, so after
 * `if (!e.known) return ...`, `switch (e.event)` narrows each case's payload.
 */
export type ParsedWebhookEvent = KnownPinwheelEvent | UnknownPinwheelEvent;

export interface ParseWebhookOptions extends Omit<VerifyWebhookOptions, "rawBody"> {
  /** The request body exactly as received: a Buffer, Uint8Array (or another typed array or DataView), ArrayBuffer or string; never parsed JSON. */
  rawBody: RawBody | ArrayBuffer | ArrayBufferView;
  /**
   * Refuse (400) a signed event whose payload breaks its schema (`invalid_payload`) or whose name
   * is unknown (`unknown_event`), as in your own tests. Off by default: Pinwheel does not retry a
   * 4XX, so in a production handler a refused genuine event is lost for good.
   */
  strict?: boolean | undefined;
}

export type SafeParseWebhookResult = { ok: true; event: ParsedWebhookEvent } | { ok: false; error: PinwheelWebhookError };

/** A value as an option message shows it: a string quoted (and cut short), anything else by its kind. */
function describeOption(value: unknown): string {
  if (typeof value === "string") return JSON.stringify(value.slice(0, 40));
  if (value === null || typeof value !== "object") return String(value);
  return Array.isArray(value) ? "an array" : "an object";
}

const SECRET_WHITESPACE =
  "the secret has whitespace around it (a line break from a file or a .env?): this delivery verifies with it trimmed; trim the secret you pass";

/** Said of a bad signature: the usual causes, since the verdict alone explains nothing. */
const BAD_SIGNATURE =
  "signature does not match the body and timestamp: usually a secret from another environment (sandbox, development, production), " +
  "a body changed before verifying (parsed and re-serialized by a JSON parser, or converted to a string), " +
  "or a Buffer's whole .buffer passed instead of its bytes";

/** Said of an empty body under a well-formed, fresh signature: Pinwheel never sends an empty body. */
const EMPTY_BODY =
  "the body is empty: another middleware already read the request stream (an app-wide express.json() or a Koa body parser) " +
  "or the body was never read; pass the raw bytes, and mount the webhook route before any app-wide body parser or exclude its path from it";

/** Said of a request whose headers say it holds no JSON body, under a well-formed, fresh signature: not one of Pinwheel's, which send JSON. */
const NOT_A_JSON_BODY =
  "the request declares no JSON body (content-type not application/json, or content-length 0): Pinwheel sends one, so this is not a delivery of Pinwheel's";

/**
 * Whether a request declares a body Pinwheel could have sent: JSON, and not declared empty. Only
 * then is a rawBody that is not the bytes, or is empty, the handler's doing (500, so Pinwheel
 * retries); without this, anyone could make a correct handler answer 500 (and page its owner) with
 * a junk but well-formed signature and a text/plain or empty body, which a raw parser for JSON
 * leaves unread.
 */
function declaresJsonBody(headers: HeaderBag): boolean {
  const length = readHeader(headers, "content-length")?.trim();
  if (length !== undefined && /^0+$/.test(length)) return false;
  const media = readHeader(headers, "content-type")?.split(";")[0]?.trim().toLowerCase();
  return media !== undefined && (media === "application/json" || media.endsWith("+json"));
}

/** Like parseWebhookEvent, but returns the failure instead of throwing it. */
export function safeParseWebhookEvent(options: ParseWebhookOptions): SafeParseWebhookResult {
  try {
    return safeParse(options);
  } catch (error) {
    // A getter or a headers.get() of the handler's that throws: its configuration, never an uncaught throw.
    const message = error instanceof Error ? error.message : String(error);
    return { ok: false, error: new PinwheelWebhookError("invalid_options", `reading the options or the request's headers threw: ${message}`) };
  }
}

function safeParse(options: ParseWebhookOptions): SafeParseWebhookResult {
  const fail = (error: PinwheelWebhookError): SafeParseWebhookResult => ({ ok: false, error });
  if (typeof options !== "object" || options === null) {
    return fail(new PinwheelWebhookError("invalid_options", "the options must be { secret, headers, rawBody }"));
  }
  if (!hasSecret(options.secret)) return fail(new PinwheelWebhookError("missing_secret", MISSING_SECRET));
  const optionsProblem = verifyOptionsProblem(options);
  if (optionsProblem !== undefined) return fail(new PinwheelWebhookError("invalid_options", optionsProblem));
  // A truthy string ("false" from an environment variable) would refuse genuine events.
  if (options.strict !== undefined && typeof options.strict !== "boolean") {
    return fail(new PinwheelWebhookError("invalid_options", `strict must be true or false; got ${describeOption(options.strict)}`));
  }
  const given = options.rawBody;
  if (!isRawBody(given)) {
    // The body is to blame (500) only for what could be a genuine delivery; an anonymous request
    // (a scanner, a health check, a junk signature) gets its signature's failure, 401.
    const headers = verifyHeadersOnly(options);
    if (!headers.ok) return fail(new PinwheelWebhookError(headers.reason, headers.message));
    if (!declaresJsonBody(options.headers)) return fail(new PinwheelWebhookError("bad_signature", NOT_A_JSON_BODY));
    return fail(new PinwheelWebhookError("parsed_body", rawBodyProblem(given)));
  }
  const rawBody = typeof given === "string" ? given : toBytes(given);
  const verdict = verifyWebhook({ ...options, rawBody });
  if (!verdict.ok) {
    if (verdict.reason !== "bad_signature") return fail(new PinwheelWebhookError(verdict.reason, verdict.message));
    // Pinwheel never sends an empty body: under a well-formed, fresh signature on a request that
    // declares one, something read it first.
    if (byteLengthOf(rawBody) === 0 && verifyHeadersOnly(options).ok) {
      return fail(declaresJsonBody(options.headers) ? new PinwheelWebhookError("parsed_body", EMPTY_BODY) : new PinwheelWebhookError("bad_signature", NOT_A_JSON_BODY));
    }
    const trimmed = options.secret.trim();
    // Answered 401, a genuine delivery would be lost for good (Pinwheel does not retry a 4XX).
    if (trimmed !== options.secret && verifyWebhook({ ...options, rawBody, secret: trimmed }).ok) {
      return fail(new PinwheelWebhookError("invalid_options", SECRET_WHITESPACE));
    }
    return fail(new PinwheelWebhookError("bad_signature", BAD_SIGNATURE));
  }

  let body: unknown;
  try {
    body = JSON.parse(jsonText(rawBody));
  } catch (error) {
    return fail(new PinwheelWebhookError("invalid_json", `the body is not JSON: ${(error as Error).message}`));
  }
  const problem = envelopeProblem(body);
  if (problem !== null) return fail(new PinwheelWebhookError("invalid_envelope", problem));
  const envelope = body as { event: string; event_id: string; payload: Record<string, unknown> };

  const validated = validateWebhookEvent(envelope);
  if (validated.ok) return { ok: true, event: { ...validated.event, known: true, issues: [] } };
  const known = isEventName(envelope.event);
  if (options.strict) {
    const summary = validated.issues.map((issue) => `${issue.path}: ${issue.message}`).join("; ");
    return fail(new PinwheelWebhookError(known ? "invalid_payload" : "unknown_event", summary, validated.issues));
  }
  // Signed by Pinwheel, so it is answered 2xx whatever its payload: what arrived, with its issues.
  const event = known
    ? ({ ...envelope, known: true, issues: validated.issues } as KnownPinwheelEvent)
    : ({ ...envelope, known: false, issues: validated.issues } satisfies UnknownPinwheelEvent);
  return { ok: true, event };
}

/**
 * Verifies a delivery (signature over the raw bytes, then the timestamp's age), checks that it is
 * a Pinwheel envelope and validates its payload against its event's schema:
 *
 *   const e = parseWebhookEvent({ secret, headers: req.headers, rawBody: req.body });
 *   if (!e.known) return log(e.event, e.issues);       // an event this library does not know
 *   if (e.event === "paystubs.fully_synced") e.payload.params.count; // number
 *
 * Throws PinwheelWebhookError, whose `status` is the answer to give, only for what is not a
 * genuine delivery: 401 (signature, timestamp), 400 (not JSON, not an envelope) or 500 (the
 * handler's own mistake). A genuine event whose payload disagrees with its schema, or whose name
 * is unknown, is returned with `issues` (refused only with `strict: true`).
 */
export function parseWebhookEvent(options: ParseWebhookOptions): ParsedWebhookEvent {
  const result = safeParseWebhookEvent(options);
  if (!result.ok) throw result.error;
  return result.event;
}
