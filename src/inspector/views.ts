import { storedAttemptJson } from "../delivery/attempt-json.js";
import type { DeliveryAttempt } from "../store/deliveries.js";
import type { ListedRequest, StoredRequest } from "../store/requests.js";
import { whySchemaUnchecked } from "../receiver/schema-unchecked.js";
import type { AttemptView, BodyView, ForwardView, RequestDetail, RequestSummary } from "./ui/types.js";

export type { AttemptView, BodyView, ForwardView, RequestDetail, RequestSummary };

export const attemptView = storedAttemptJson;

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

export function requestSummary(request: ListedRequest, forward: ForwardView | null): RequestSummary {
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
    schema_unchecked: request.event === null || request.schemaErrors ? null : whySchemaUnchecked(request),
    headers: request.headers,
    body: bodyView(request),
    // Newest first by when they were sent: ids follow commit order, and other processes (simulate) commit later.
    attempts: [...attempts].sort((a, b) => b.startedAt.localeCompare(a.startedAt) || b.id - a.id).map(attemptView),
  };
}
