import type { EventName } from "../events/catalog.js";
import { validateWebhookEvent, type PinwheelWebhookEvent } from "../events/schemas.js";
import { hasSecret, MISSING_SECRET, verifyWebhook, type RawBody, type VerifyWebhookOptions } from "../signing.js";
import { RAW_BODY_FIX } from "../verify/wording.js";
import { PinwheelWebhookError } from "./webhook-error.js";

/** One event of the union, by name: `WebhookEventOf<"paystubs.added">`. */
export type WebhookEventOf<N extends EventName> = Extract<PinwheelWebhookEvent, { event: N }>;

export interface ParseWebhookOptions extends Omit<VerifyWebhookOptions, "rawBody"> {
  /** The request body exactly as received: a Buffer, Uint8Array, ArrayBuffer or string; never parsed JSON. */
  rawBody: RawBody | ArrayBuffer;
}

export type SafeParseWebhookResult = { ok: true; event: PinwheelWebhookEvent } | { ok: false; error: PinwheelWebhookError };

const utf8 = new TextDecoder("utf-8", { fatal: true });

function rawBytes(rawBody: unknown): RawBody | undefined {
  if (typeof rawBody === "string" || rawBody instanceof Uint8Array) return rawBody;
  if (rawBody instanceof ArrayBuffer) return new Uint8Array(rawBody);
  return undefined;
}

function describeParsed(rawBody: unknown): string {
  if (rawBody === undefined || rawBody === null) return `rawBody is ${String(rawBody)}`;
  const kind = Array.isArray(rawBody) ? "array" : typeof rawBody;
  return `rawBody is ${/^[aeiou]/.test(kind) ? "an" : "a"} ${kind}, not the request's bytes`;
}

/** Like parseWebhookEvent, but returns the failure instead of throwing it. */
export function safeParseWebhookEvent(options: ParseWebhookOptions): SafeParseWebhookResult {
  const fail = (error: PinwheelWebhookError): SafeParseWebhookResult => ({ ok: false, error });
  if (!hasSecret(options.secret)) return fail(new PinwheelWebhookError("missing_secret", MISSING_SECRET));
  const rawBody = rawBytes(options.rawBody);
  if (rawBody === undefined) {
    return fail(new PinwheelWebhookError("parsed_body", `${describeParsed(options.rawBody)}: the framework parsed the JSON before verification. ${RAW_BODY_FIX}`));
  }
  const verdict = verifyWebhook({ ...options, rawBody });
  if (!verdict.ok) return fail(new PinwheelWebhookError(verdict.reason, verdict.message));

  let body: unknown;
  try {
    body = JSON.parse(typeof rawBody === "string" ? rawBody : utf8.decode(rawBody));
  } catch (error) {
    return fail(new PinwheelWebhookError("invalid_json", `the body is not JSON: ${(error as Error).message}`));
  }
  const validated = validateWebhookEvent(body);
  if (validated.ok) return { ok: true, event: validated.event };
  const [first] = validated.issues;
  const unknown = validated.issues.length === 1 && first?.path === "event" && typeof (body as { event?: unknown }).event === "string";
  const summary = validated.issues.map((issue) => `${issue.path}: ${issue.message}`).join("; ");
  return fail(new PinwheelWebhookError(unknown ? "unknown_event" : "invalid_payload", summary, validated.issues));
}

/**
 * Verifies a delivery (signature over the raw bytes, then the timestamp's age) and validates it
 * against its event's schema. The result is a union discriminated by `event`:
 *
 *   const e = parseWebhookEvent({ secret, headers: req.headers, rawBody: req.body });
 *   if (e.event === "paystubs.fully_synced") e.payload.params.count; // number
 *
 * Throws PinwheelWebhookError, whose `status` is the answer to give (401, 400 or 500).
 */
export function parseWebhookEvent(options: ParseWebhookOptions): PinwheelWebhookEvent {
  const result = safeParseWebhookEvent(options);
  if (!result.ok) throw result.error;
  return result.event;
}
