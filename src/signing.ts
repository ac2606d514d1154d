import { createHmac, timingSafeEqual, type Hmac } from "node:crypto";
import { DEFAULT_TOLERANCE_SECONDS, SIGNATURE_HEADER, TIMESTAMP_HEADER } from "./signature-headers.js";
import { withThousands } from "./thousands.js";
import type { VerificationReason } from "./verification-reasons.js";
import { RAW_BODY_FIX } from "./verify/wording.js";

export { VERIFICATION_REASONS, type VerificationReason } from "./verification-reasons.js";

export { DEFAULT_TOLERANCE_SECONDS, SIGNATURE_HEADER, TIMESTAMP_HEADER, WEBHOOK_ID_HEADER } from "./signature-headers.js";

const SIGNATURE_PATTERN = /^v2=([0-9a-f]{64})$/;
const TIMESTAMP_PATTERN = /^\d{1,15}$/;

export type RawBody = string | Uint8Array;

export type VerificationResult =
  | { ok: true; timestamp: number }
  | { ok: false; reason: VerificationReason; message: string };

export type HeaderBag =
  | { get(name: string): string | null }
  | Record<string, string | readonly string[] | undefined>;

export interface VerifyWebhookOptions {
  /** The API secret. Undefined or empty is refused (a handler whose PINWHEEL_API_SECRET is unset). */
  secret: string | undefined;
  headers: HeaderBag;
  /** The body's exact bytes as received (a Buffer, Uint8Array, ArrayBuffer or string), never parsed JSON. */
  rawBody: RawBody | ArrayBuffer;
  toleranceSeconds?: number | undefined;
  /** The clock, for tests and replays: a Date or epoch milliseconds. Defaults to Date.now(). */
  now?: Date | number | undefined;
}

/**
 * The body's bytes. A typed array or DataView is read over its own bytes only (not its whole
 * .buffer); a detached ArrayBuffer (transferred elsewhere) is zero bytes, not a TypeError.
 */
export function toBytes(body: RawBody | ArrayBuffer | ArrayBufferView): Uint8Array {
  if (typeof body === "string") return Buffer.from(body, "utf8");
  if (isArrayBuffer(body)) return body.byteLength === 0 ? new Uint8Array(0) : new Uint8Array(body);
  if (isUint8Array(body)) return body;
  return new Uint8Array(body.buffer, body.byteOffset, body.byteLength);
}

// By tag, not instanceof: bytes from another realm (a vm context, Jest's test environment) are bytes too.
const tagOf = (value: unknown) => Object.prototype.toString.call(value);
const isArrayBuffer = (value: unknown): value is ArrayBuffer => tagOf(value) === "[object ArrayBuffer]";
const isUint8Array = (value: unknown): value is Uint8Array => ArrayBuffer.isView(value) && tagOf(value) === "[object Uint8Array]";

function hmac(secret: string, timestamp: string, rawBody: RawBody | ArrayBuffer | ArrayBufferView): Hmac {
  // The message is the UTF-8 prefix "v2:<timestamp>:" followed by the body's exact bytes:
  // hashing the bytes (not a decoded string) keeps invalid UTF-8 and odd whitespace intact.
  return createHmac("sha256", secret).update(`v2:${timestamp}:`, "utf8").update(toBytes(rawBody));
}

/**
 * What is wrong with signing's positional arguments, in the signature's own terms: called from
 * JavaScript with one options object (as createSignedRequest and verifyWebhook take), node:crypto
 * would throw ERR_INVALID_ARG_TYPE about a "key" the caller never named.
 */
function signingArgumentsProblem(name: string, secret: unknown, rawBody: unknown): string | undefined {
  if (typeof secret === "object" && secret !== null && !isRawBody(secret)) {
    return `${name} takes its arguments in that order, not one options object`;
  }
  if (typeof secret !== "string") return `${name}: secret must be a string; got ${describeValue(secret)}`;
  if (!isRawBody(rawBody)) return `${name}: rawBody must be the body's bytes or text (a Buffer, Uint8Array or string); got ${describeValue(rawBody)}`;
  return undefined;
}

/** The `x-pinwheel-signature` value for a body sent at `timestamp` (Unix seconds, as sent in `x-timestamp`). */
export function signWebhook(secret: string, timestamp: number | string, rawBody: RawBody): string {
  if (typeof secret !== "string" || !isRawBody(rawBody)) {
    throw new TypeError(signingArgumentsProblem("signWebhook(secret, timestamp, rawBody)", secret, rawBody));
  }
  // A missing timestamp would sign "undefined", which no delivery carries.
  if (typeof timestamp !== "string" && !(typeof timestamp === "number" && Number.isFinite(timestamp))) {
    throw new TypeError(`signWebhook(secret, timestamp, rawBody): timestamp must be Unix seconds, a number or the x-timestamp string; got ${describeValue(timestamp)}`);
  }
  // Hex straight from OpenSSL: no Buffer (and no ArrayBuffer for the collector) per signature,
  // about 0.6 us less on a path run per delivery.
  return `v2=${hmac(secret, String(timestamp), rawBody).digest("hex")}`;
}

function signedHeadersOptionsProblem(options: unknown): string | undefined {
  if (typeof options !== "object" || options === null || Array.isArray(options)) return `options must be { timestamp?, webhookId? }; got ${describeValue(options)}`;
  const { timestamp, webhookId } = options as { timestamp?: unknown; webhookId?: unknown };
  if (timestamp !== undefined && !(typeof timestamp === "number" && Number.isFinite(timestamp))) {
    return `timestamp must be Unix seconds, a number; got ${describeValue(timestamp)}`;
  }
  if (webhookId !== undefined && typeof webhookId !== "string") return `webhookId must be a string; got ${describeValue(webhookId)}`;
  return undefined;
}

/** The three Pinwheel headers for a body signed now (or at `timestamp`), ready to send. */
export function signedHeaders(
  secret: string,
  rawBody: RawBody,
  options: { timestamp?: number | undefined; webhookId?: string | undefined } = {},
): Record<string, string> {
  if (typeof secret !== "string" || !isRawBody(rawBody)) {
    throw new TypeError(signingArgumentsProblem("signedHeaders(secret, rawBody, options?)", secret, rawBody));
  }
  const problem = signedHeadersOptionsProblem(options);
  if (problem !== undefined) throw new TypeError(`signedHeaders(secret, rawBody, options?): ${problem}`);
  const timestamp = String(options.timestamp ?? Math.floor(Date.now() / 1000));
  // Literal keys (not computed ones) keep this a fast-shaped object on a path run per delivery.
  const headers: Record<string, string> = {
    "content-type": "application/json",
    "x-pinwheel-signature": signWebhook(secret, timestamp, rawBody),
    "x-timestamp": timestamp,
  };
  if (options.webhookId !== undefined) headers["x-pinwheel-webhook-id"] = options.webhookId;
  return headers;
}

/**
 * Every value a header was given: proxies that repeat a header make Node's req.headers and Fetch's
 * Headers join the copies with ", ", and headersDistinct keeps them as an array. Pinwheel's
 * signature and timestamp values never hold a comma, so the copies can be told apart.
 */
function headerValues(headers: HeaderBag, name: string): string[] {
  const value = readHeaderAll(headers, name);
  if (value === undefined) return [];
  // What every delivery sends: one copy. Spared the arrays below on a path run per request.
  if (typeof value === "string" && !value.includes(",")) {
    const one = value.trim();
    return one === "" ? [] : [one];
  }
  // A number (a bag a handler built itself) is its digits; other values are no header value.
  const values = (typeof value === "string" || !Array.isArray(value) ? [value] : value).map((one: unknown) =>
    typeof one === "string" ? one : typeof one === "number" ? String(one) : "",
  );
  return values.flatMap((one) => (one.includes(",") ? one.split(",") : [one])).map((one) => one.trim()).filter((one) => one !== "");
}

function readHeaderAll(headers: HeaderBag, name: string): string | readonly string[] | undefined {
  if (typeof (headers as { get?: unknown }).get === "function") {
    return (headers as { get(name: string): string | null }).get(name) ?? undefined;
  }
  const bag = headers as Record<string, string | readonly string[] | undefined>;
  const value = bag[name];
  if (value !== undefined) return value;
  const key = Object.keys(bag).find((k) => k.toLowerCase() === name);
  return key === undefined ? undefined : bag[key];
}

/** A header's value; of a header sent as separate copies (headersDistinct), the first. */
export function readHeader(headers: HeaderBag, name: string): string | undefined {
  const value = readHeaderAll(headers, name);
  return typeof value === "string" || value === undefined ? value : value[0];
}

/** Said when there is no secret to verify with: a handler's configuration mistake, not a bad request. */
export const MISSING_SECRET = "no API secret to verify with (secret is empty or not a string; is PINWHEEL_API_SECRET set?)";

/** An empty key still makes an HMAC, one anybody can compute: verifying needs a real secret (a blank one is an unset variable). */
export function hasSecret(secret: unknown): secret is string {
  return typeof secret === "string" && secret.trim() !== "";
}

/** "an object", "a function": what a value is, for a message about an option. */
function kindOf(value: unknown): string {
  const kind = Array.isArray(value) ? "array" : typeof value;
  return `${/^[aeiou]/.test(kind) ? "an" : "a"} ${kind}`;
}

function describeValue(value: unknown): string {
  if (typeof value === "number" || value === undefined || value === null || typeof value === "boolean") return String(value);
  if (value instanceof Date) return `an invalid Date`;
  return typeof value === "string" ? JSON.stringify(value.slice(0, 40)) : kindOf(value);
}

/**
 * What is wrong with verification's options other than the secret and the body, in their own
 * names; undefined when nothing is. A tolerance or clock that is not a number would otherwise
 * turn the freshness check off without a word (NaN compares false), so it is refused.
 */
export function verifyOptionsProblem(options: Pick<VerifyWebhookOptions, "headers" | "toleranceSeconds" | "now">): string | undefined {
  if (typeof options.headers !== "object" || options.headers === null) {
    return `headers must be the request's headers (req.headers, or a Fetch Headers object); got ${describeValue(options.headers)}`;
  }
  if (Array.isArray(options.headers)) {
    return "headers must be the request's headers (req.headers, or a Fetch Headers object); got an array (req.rawHeaders?)";
  }
  const tolerance = options.toleranceSeconds;
  if (tolerance !== undefined && (typeof tolerance !== "number" || !Number.isFinite(tolerance) || tolerance < 0)) {
    return `toleranceSeconds must be a number of seconds, 0 or more; got ${describeValue(tolerance)}`;
  }
  return nowProblem(options.now);
}

/** What is wrong with a `now` option (a clock for tests and replays), if anything. */
export function nowProblem(now: unknown): string | undefined {
  if (now !== undefined && ((typeof now !== "number" && !(now instanceof Date)) || !Number.isFinite(Number(now)))) {
    return `now must be a Date or epoch milliseconds; got ${describeValue(now)}`;
  }
  // Every genuine delivery would look stale (seconds read as milliseconds are 1970).
  if (typeof now === "number" && Math.abs(now) < SECONDS_OR_MILLISECONDS) {
    return `now must be epoch milliseconds; ${now} looks like seconds (Date.now() gives milliseconds)`;
  }
  return undefined;
}

/** Above it, epoch seconds would be past the year 5000, and epoch milliseconds are after 1973. */
export const SECONDS_OR_MILLISECONDS = 1e11;

/**
 * The body as bytes (or their text), as verification takes it: a string, an ArrayBuffer, or any
 * typed array or DataView (a Buffer is a Uint8Array). Anything else was parsed or never read.
 */
export function isRawBody(body: unknown): body is RawBody | ArrayBuffer {
  return typeof body === "string" || ArrayBuffer.isView(body) || isArrayBuffer(body);
}

/** The body's length in bytes, as verification reads it. */
export function byteLengthOf(body: RawBody | ArrayBuffer): number {
  return typeof body === "string" ? Buffer.byteLength(body, "utf8") : toBytes(body).byteLength;
}

const ACCEPTED_BODIES = "a Buffer, Uint8Array (or another typed array or DataView), ArrayBuffer or string";

/** An object a JSON parser could have made: a plain object or an array (from any realm). */
function isParsedJson(value: object): boolean {
  if (Array.isArray(value)) return true;
  const proto: unknown = Object.getPrototypeOf(value);
  return proto === null || (proto as { constructor?: { name?: unknown } }).constructor?.name === "Object";
}

/** "a Blob", "a SharedArrayBuffer": an object's class, for a message. */
function className(value: object): string {
  const name = tagOf(value).slice("[object ".length, -1);
  return `${/^[AEIOU]/.test(name) ? "an" : "a"} ${name}`;
}

/** Said when rawBody is not bytes: why (the body was parsed, never read, or is of a type that is not bytes) and what to do. */
export function rawBodyProblem(rawBody: unknown): string {
  if (rawBody === undefined || rawBody === null) {
    return `rawBody is ${String(rawBody)}: the body was never read (no raw body parser ran, or its type filter did not match this request's content-type). ${RAW_BODY_FIX}`;
  }
  if (typeof rawBody === "object" && isParsedJson(rawBody)) {
    return (
      `rawBody is ${kindOf(rawBody)}, not the request's bytes: a JSON parser already ran before verification ` +
      "(e.g. app.use(express.json()) mounted before the webhook route, which leaves the route's express.raw nothing to read, or Fastify's default JSON parser). " +
      "Mount the webhook route before that parser or exclude its path from it, so that the route gets the raw bytes " +
      "(Fastify: addContentTypeParser('application/json', { parseAs: 'buffer' }, ...))."
    );
  }
  const what = typeof rawBody === "object" ? className(rawBody) : kindOf(rawBody);
  const blob = tagOf(rawBody) === "[object Blob]" ? " (read a Blob's with await blob.arrayBuffer())" : "";
  return `rawBody is ${what}, not bytes verification can read: pass the body's bytes as ${ACCEPTED_BODIES}${blob}.`;
}

function formatSeconds(seconds: number): string {
  return `${withThousands(Math.round(seconds))} s`;
}

/** An age past the tolerance, never rounded down onto it ("300 s old; tolerance 300 s"). */
function beyond(seconds: number, tolerance: number): string {
  return Math.round(seconds) <= tolerance ? `more than ${formatSeconds(tolerance)}` : formatSeconds(seconds);
}

/**
 * Checks a delivery the way a Pinwheel handler must: HMAC over the raw bytes, then freshness.
 * The signature comes first so that a genuine request replayed later reads as stale, not forged.
 */
export function verifyWebhook(options: VerifyWebhookOptions): VerificationResult {
  // Called positionally (secret, headers, body), as signWebhook is, the secret is no options object.
  if (typeof options !== "object" || options === null) {
    // Only what it is: the value may well be the secret.
    throw new TypeError(`verifyWebhook takes one options object { secret, headers, rawBody }; got ${kindOf(options)}`);
  }
  const { secret, headers, rawBody } = options;
  if (!hasSecret(secret)) throw new TypeError(MISSING_SECRET);
  const problem = verifyOptionsProblem(options);
  if (problem !== undefined) throw new TypeError(problem);
  if (!isRawBody(rawBody)) throw new TypeError(rawBodyProblem(rawBody));
  const signed = readSignedHeaders(headers);
  if (!signed.ok) return signed;
  const expected = hmac(secret, signed.timestampText, rawBody).digest();
  // A repeated header (a proxy's copy) verifies when one of its values does.
  if (!signed.signaturesHex.some((hex) => timingSafeEqual(expected, Buffer.from(hex, "hex")))) {
    return { ok: false, reason: "bad_signature", message: "signature does not match the body and timestamp" };
  }
  return freshness(signed.timestampText, options);
}

type SignedHeaders = { ok: true; signaturesHex: string[]; timestampText: string } | { ok: false; reason: VerificationReason; message: string };

/** The signature and timestamp headers as verification reads them: their form only, no HMAC and no clock. */
function readSignedHeaders(headers: HeaderBag): SignedHeaders {
  const signatures = headerValues(headers, SIGNATURE_HEADER);
  const timestamps = headerValues(headers, TIMESTAMP_HEADER);

  if (signatures.length === 0) {
    return { ok: false, reason: "missing_signature", message: `no ${SIGNATURE_HEADER} header` };
  }
  // Of copies of a repeated header, the well-formed ones are checked: one that matches is enough.
  const signaturesHex = signatures.flatMap((signature) => SIGNATURE_PATTERN.exec(signature.toLowerCase())?.[1] ?? []);
  if (signaturesHex.length === 0) {
    return {
      ok: false,
      reason: "malformed_signature",
      message: `${SIGNATURE_HEADER} must be "v2=" and 64 hex characters${signatures.length > 1 ? " (it came more than once)" : ""}`,
    };
  }
  const timestampText = timestamps[0];
  if (timestampText === undefined) {
    return { ok: false, reason: "missing_timestamp", message: `no ${TIMESTAMP_HEADER} header` };
  }
  if (timestamps.length > 1 && timestamps.some((timestamp) => timestamp !== timestampText)) {
    return { ok: false, reason: "malformed_timestamp", message: `${TIMESTAMP_HEADER} came more than once with different values` };
  }
  if (!TIMESTAMP_PATTERN.test(timestampText)) {
    return {
      ok: false,
      reason: "malformed_timestamp",
      message: `${TIMESTAMP_HEADER} must be Unix seconds as digits, got ${JSON.stringify(timestampText.slice(0, 40))}`,
    };
  }
  return { ok: true, signaturesHex, timestampText };
}

/** Whether a well-formed timestamp is within the tolerance of the clock. */
function freshness(timestampText: string, options: Pick<VerifyWebhookOptions, "toleranceSeconds" | "now">): VerificationResult {
  const tolerance = options.toleranceSeconds ?? DEFAULT_TOLERANCE_SECONDS;
  const nowMs = options.now === undefined ? Date.now() : Number(options.now);
  const timestamp = Number(timestampText);
  const age = nowMs / 1000 - timestamp;
  if (Math.abs(age) > tolerance) {
    const looksLikeMilliseconds = timestamp > SECONDS_OR_MILLISECONDS;
    const message = looksLikeMilliseconds
      ? `timestamp ${timestampText} looks like milliseconds; ${TIMESTAMP_HEADER} is in seconds`
      : age > 0
        ? `timestamp ${beyond(age, tolerance)} old; tolerance ${formatSeconds(tolerance)}`
        : `timestamp ${beyond(-age, tolerance)} in the future; tolerance ${formatSeconds(tolerance)}`;
    return { ok: false, reason: "stale_timestamp", message };
  }

  return { ok: true, timestamp };
}

/**
 * Everything verifyWebhook checks except the HMAC: the signature's and timestamp's form, then the
 * timestamp's age. When rawBody is not the bytes (or is empty), it tells a request that could be a
 * genuine delivery (the handler's mistake, 500) from one that is not (401 with its reason).
 * Options already checked (verifyOptionsProblem).
 */
export function verifyHeadersOnly(options: Pick<VerifyWebhookOptions, "headers" | "toleranceSeconds" | "now">): VerificationResult {
  const signed = readSignedHeaders(options.headers);
  return signed.ok ? freshness(signed.timestampText, options) : signed;
}

/**
 * One header value as verification reads it, from whatever a header bag held (a string, copies
 * joined with ", ", or headersDistinct's array): the trimmed copies, never a non-string.
 */
export function headerValueCopies(value: unknown): string[] {
  return headerValues({ value } as HeaderBag, "value");
}
