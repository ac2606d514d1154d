import type { SchemaIssue } from "../events/schemas.js";
import type { VerificationReason } from "../signing.js";

export type WebhookErrorReason =
  | VerificationReason
  /** Under a well-formed signature and a fresh timestamp, rawBody is not the bytes (a JSON parser ran first, or the body was never read) or is empty (a middleware read the stream). */
  | "parsed_body"
  /** No secret to verify with (empty or undefined): the handler's configuration, not the request. */
  | "missing_secret"
  /**
   * An option that cannot be used (headers, toleranceSeconds, now), or a secret with whitespace
   * around it that a delivery verifies without: the handler's configuration, not the request.
   */
  | "invalid_options"
  | "invalid_json"
  /** Signed JSON that is not {event, event_id, payload}. */
  | "invalid_envelope"
  /** With `strict: true` only: signed, but an event this library has no schema for. */
  | "unknown_event"
  /** With `strict: true` only: signed, but the payload breaks its event's schema. */
  | "invalid_payload";

const HANDLER_MISTAKES: ReadonlySet<WebhookErrorReason> = new Set(["parsed_body", "missing_secret", "invalid_options"]);
const REFUSED_AS_BAD_REQUEST: ReadonlySet<WebhookErrorReason> = new Set(["invalid_json", "invalid_envelope", "unknown_event", "invalid_payload"]);

/**
 * Why parseWebhookEvent refused a request. `status` is the answer a handler should give:
 * 401 when the signature or timestamp fails, 400 when a signed body is not JSON or not an
 * envelope (and, with `strict: true`, not a valid event), and 500 for parsed_body,
 * missing_secret and invalid_options, mistakes in the handler itself: Pinwheel retries 5XX answers, so the events
 * arrive again once it is fixed. It never retries a 4XX.
 */
export class PinwheelWebhookError extends Error {
  readonly reason: WebhookErrorReason;
  readonly status: 400 | 401 | 500;
  /** Schema problems, for invalid_payload and unknown_event (strict mode). */
  readonly issues: readonly SchemaIssue[];

  constructor(reason: WebhookErrorReason, message: string, issues: readonly SchemaIssue[] = []) {
    super(message);
    this.name = "PinwheelWebhookError";
    this.reason = reason;
    this.status =
      HANDLER_MISTAKES.has(reason) ? 500 : REFUSED_AS_BAD_REQUEST.has(reason) ? 400 : 401;
    this.issues = issues;
  }
}
