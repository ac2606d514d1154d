import type { DeliveryAttempt } from "../store/deliveries.js";
import type { StoredRequest } from "../store/requests.js";

/** The JSON shapes the page reads; src/inspector/ui/types.ts mirrors them. */

export interface AttemptView {
  id: number;
  delivery_id: string;
  source: string;
  /** The stored request it sent (forwards, replays); null for the sender's own attempts (simulate). */
  request_id: number | null;
  attempt: number;
  url: string;
  started_at: string;
  duration_ms: number;
  status_code: number | null;
  ok: boolean;
  error: string | null;
  response_body: string | null;
}

export interface ForwardView {
  /** True while the forward is on its way and nothing is recorded yet. */
  pending: boolean;
  status_code: number | null;
  ok: boolean;
  error: string | null;
  duration_ms: number | null;
  url: string | null;
}

export interface RequestSummary {
  id: number;
  received_at: string;
  method: string;
  path: string;
  event: string | null;
  event_id: string | null;
  account_id: string | null;
  verification: string;
  verification_detail: string | null;
  rejection: string | null;
  duplicate: boolean;
  status_code: number;
  schema_error_count: number;
  forward: ForwardView | null;
}

export interface BodyView {
  /** Bytes received (the stored copy stops at 1 MiB). */
  size: number;
  truncated: boolean;
  /** False when the bytes are not valid UTF-8: `raw` then shows U+FFFD where they were. */
  utf8: boolean;
  /** The body as received, decoded as UTF-8, control characters other than tab and newlines as \xNN. */
  raw: string;
  /** Indented JSON, or null when the body does not parse. */
  pretty: string | null;
}

export interface RequestDetail extends RequestSummary {
  remote_address: string | null;
  webhook_id: string | null;
  schema_errors: { path: string; message: string }[];
  headers: [string, string][];
  body: BodyView;
  /** Every attempt recorded for this request or its event_id (forwards, replays, the sender's own), newest sent first. */
  attempts: AttemptView[];
}

export function attemptView(attempt: DeliveryAttempt): AttemptView {
  return {
    id: attempt.id,
    delivery_id: attempt.deliveryId,
    source: attempt.source,
    request_id: attempt.requestId,
    attempt: attempt.attempt,
    url: attempt.url,
    started_at: attempt.startedAt,
    duration_ms: attempt.durationMs,
    status_code: attempt.statusCode,
    ok: attempt.statusCode !== null && attempt.statusCode >= 200 && attempt.statusCode < 300,
    error: attempt.error,
    response_body: attempt.responseBody,
  };
}

/** The newest forward attempt of a request, as the list's forward column shows it. */
export function forwardView(attempts: readonly DeliveryAttempt[]): ForwardView | null {
  let newest: DeliveryAttempt | undefined;
  for (const attempt of attempts) {
    if (attempt.source === "forward" && (newest === undefined || attempt.id > newest.id)) newest = attempt;
  }
  if (!newest) return null;
  const view = attemptView(newest);
  return { pending: false, status_code: view.status_code, ok: view.ok, error: view.error, duration_ms: view.duration_ms, url: view.url };
}

export function requestSummary(request: StoredRequest, forward: ForwardView | null): RequestSummary {
  return {
    id: request.id,
    received_at: request.receivedAt,
    method: request.method,
    path: request.path,
    event: request.event,
    event_id: request.eventId,
    account_id: request.accountId,
    verification: request.verification,
    verification_detail: request.verificationDetail,
    rejection: request.rejection,
    duplicate: request.duplicate,
    status_code: request.statusCode,
    schema_error_count: request.schemaErrors?.length ?? 0,
    forward,
  };
}

// Control characters would be invisible (or reflow the view); tab, LF and CR are kept.
// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f]/g;

export function bodyView(request: StoredRequest): BodyView {
  const text = request.body.toString("utf8");
  const utf8 = Buffer.byteLength(text) === request.body.length && Buffer.from(text, "utf8").equals(request.body);
  let pretty: string | null = null;
  try {
    pretty = JSON.stringify(JSON.parse(text), null, 2);
  } catch {
    pretty = null;
  }
  return {
    size: request.bodySize,
    truncated: request.bodyTruncated,
    utf8,
    raw: text.replace(CONTROL, (ch) => `\\x${ch.charCodeAt(0).toString(16).padStart(2, "0")}`),
    pretty,
  };
}

export function requestDetail(request: StoredRequest, attempts: readonly DeliveryAttempt[]): RequestDetail {
  return {
    ...requestSummary(request, forwardView(attempts)),
    remote_address: request.remoteAddress,
    webhook_id: request.webhookId,
    schema_errors: request.schemaErrors ?? [],
    headers: request.headers,
    body: bodyView(request),
    // Newest first by when they were sent: ids follow commit order, and other processes (simulate) commit later.
    attempts: [...attempts].sort((a, b) => b.startedAt.localeCompare(a.startedAt) || b.id - a.id).map(attemptView),
  };
}
