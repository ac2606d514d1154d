import type { SchemaIssue } from "../events/schemas.js";
import type { VerificationReason } from "../signing.js";

export type WebhookErrorReason =
  | VerificationReason
  /** rawBody is a parsed object, not the bytes: the framework parsed the JSON first. */
  | "parsed_body"
  /** No secret to verify with (empty or undefined): the handler's configuration, not the request. */
  | "missing_secret"
  | "invalid_json"
  /** Signed and JSON, but an event this library has no schema for (Pinwheel adds events over time). */
  | "unknown_event"
  | "invalid_payload";

/**
 * Why parseWebhookEvent refused a request. `status` is the answer a handler should give:
 * 401 when the signature or timestamp fails, 400 when a signed body is not a valid event, and
 * 500 for parsed_body and missing_secret, mistakes in the handler itself: Pinwheel retries 5XX
 * answers, so the events arrive again once it is fixed.
 */
export class PinwheelWebhookError extends Error {
  readonly reason: WebhookErrorReason;
  readonly status: 400 | 401 | 500;
  /** Schema problems, for invalid_payload and unknown_event. */
  readonly issues: readonly SchemaIssue[];

  constructor(reason: WebhookErrorReason, message: string, issues: readonly SchemaIssue[] = []) {
    super(message);
    this.name = "PinwheelWebhookError";
    this.reason = reason;
    this.status =
      reason === "parsed_body" || reason === "missing_secret" ? 500 : reason === "invalid_json" || reason === "unknown_event" || reason === "invalid_payload" ? 400 : 401;
    this.issues = issues;
  }
}
