import type { IncomingHttpHeaders } from "node:http";
import { readHeader, verifyWebhook, WEBHOOK_ID_HEADER } from "../signing.js";
import type { SchemaIssueRow } from "../store/requests.js";
import { jsonText } from "../events/json-text.js";
import { envelopeProblem } from "../events/envelope.js";

export const MAX_BODY_BYTES = 1024 * 1024;

export interface ClassifyOptions {
  secret: string;
  toleranceSeconds: number;
  skipVerify: boolean;
  now: number;
  /**
   * Payload validation (zod); injected so this module stays free of the schemas' weight. Without
   * it the payload is left for the caller to validate (the receiver's commit worker does), and the
   * verdict says so with `validateLater`.
   */
  validate?(body: unknown): { ok: true } | { ok: false; issues: SchemaIssueRow[] };
  /** The body size a tooLarge request was over, for its rejection (MAX_BODY_BYTES unless listen was given another). */
  maxBodyBytes?: number;
}

export interface IncomingRequest {
  method: string;
  headers: IncomingHttpHeaders;
  body: Buffer;
  tooLarge: boolean;
  /** It came on a connection past the receiver's cap: refused with 503 so the sender retries later. */
  overCapacity?: boolean;
}

export interface Verdict {
  statusCode: number;
  verification: string;
  verificationDetail: string | null;
  /** Machine-readable reason for any answer but 200, e.g. "bad_signature" or "invalid_json". */
  errorCode: string | null;
  /** Why the request was refused with 400/405/413, in words. */
  rejection: string | null;
  event: string | null;
  eventId: string | null;
  accountId: string | null;
  webhookId: string | null;
  schemaErrors: SchemaIssueRow[] | null;
  /** The payload is one to validate, but no `validate` was given: `schemaErrors` is still to be found. */
  validateLater: boolean;
}

function asString(value: unknown): string | null {
  return typeof value === "string" ? value : null;
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

interface EnvelopeError {
  code: "invalid_json" | "invalid_envelope";
  message: string;
}

function parseEnvelope(body: Buffer): { json: unknown; error: EnvelopeError | null } {
  if (body.length === 0) {
    return { json: undefined, error: { code: "invalid_json", message: "the body is empty; expected a JSON envelope {event, event_id, payload}" } };
  }
  let json: unknown;
  try {
    json = JSON.parse(jsonText(body));
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    return { json: undefined, error: { code: "invalid_json", message: `the body is not valid JSON (${reason})` } };
  }
  const problem = envelopeProblem(json);
  const error = problem === null ? null : { code: "invalid_envelope" as const, message: problem };
  return { json, error };
}

/** What marks a request as sent by a web page: an Origin header, or a Sec-Fetch-Site other than the user's own navigation. */
function browserOrigin(headers: IncomingHttpHeaders): string | null {
  const origin = headers.origin;
  if (origin !== undefined) return `Origin: ${origin.slice(0, 200)}`;
  const site = headers["sec-fetch-site"];
  if (site !== undefined && site !== "none" && site !== "same-origin") return `Sec-Fetch-Site: ${site.slice(0, 40)}`;
  return null;
}

/**
 * Decides how the receiver answers one request and what it records about it. Pure: the same
 * request and clock give the same verdict, so the receiver's rules are testable without a server.
 * Schema problems are recorded but never refused: a test tool must show what really arrived.
 */
export function classifyRequest(request: IncomingRequest, options: ClassifyOptions): Verdict {
  const webhookId = readHeader(request.headers, WEBHOOK_ID_HEADER) ?? null;
  const base = { webhookId, event: null, eventId: null, accountId: null, schemaErrors: null, validateLater: false };

  if (request.overCapacity) {
    const rejection = "the receiver is at its connection limit; retry";
    return { ...base, statusCode: 503, verification: "not_checked", verificationDetail: null, errorCode: "too_many_connections", rejection };
  }
  if (request.tooLarge) {
    const rejection = `the body is larger than ${options.maxBodyBytes ?? MAX_BODY_BYTES} bytes`;
    return { ...base, statusCode: 413, verification: "not_checked", verificationDetail: null, errorCode: "payload_too_large", rejection };
  }
  if (request.method !== "POST") {
    const rejection = `method ${request.method} is not allowed; Pinwheel delivers with POST`;
    return { ...base, statusCode: 405, verification: "not_checked", verificationDetail: null, errorCode: "method_not_allowed", rejection };
  }
  const browser = browserOrigin(request.headers);
  if (browser !== null) {
    // Pinwheel's servers send neither header. A web page can (a cross-site text/plain POST needs
    // no preflight); with --skip-verify --forward-to it would be forwarded re-signed with the real secret.
    const rejection = `a web browser sent this (${browser}); Pinwheel's deliveries come from servers, not pages`;
    return { ...base, statusCode: 403, verification: "not_checked", verificationDetail: null, errorCode: "browser_request", rejection };
  }

  const { json, error: envelopeError } = parseEnvelope(request.body);
  const envelope = isPlainObject(json) ? json : {};
  const payload = isPlainObject(envelope.payload) ? envelope.payload : {};
  const validation = envelopeError === null && options.validate ? options.validate(json) : null;
  // One object, filled in below rather than spread from parts: spreading into a literal this size
  // took V8's slow path and cost more than the HMAC (17 us per request against 7).
  const verdict: Verdict = {
    statusCode: 200,
    verification: "skipped",
    verificationDetail: null,
    errorCode: null,
    rejection: null,
    event: asString(envelope.event),
    eventId: asString(envelope.event_id),
    accountId: asString(payload.account_id),
    webhookId,
    schemaErrors: validation && !validation.ok ? validation.issues : null,
    validateLater: envelopeError === null && !options.validate,
  };

  if (!options.skipVerify) {
    const result = verifyWebhook({
      secret: options.secret,
      headers: request.headers,
      rawBody: request.body,
      toleranceSeconds: options.toleranceSeconds,
      now: options.now,
    });
    if (!result.ok) {
      verdict.statusCode = 401;
      verdict.verification = result.reason;
      verdict.verificationDetail = result.message;
      verdict.errorCode = result.reason;
      return verdict;
    }
    verdict.verification = "verified";
  }
  if (envelopeError !== null) {
    verdict.statusCode = 400;
    verdict.errorCode = envelopeError.code;
    verdict.rejection = envelopeError.message;
  }
  return verdict;
}
