/**
 * The JSON the inspector's API answers with: the one definition, read by the page (this folder)
 * and by the server that builds it (src/inspector/views.ts, index.ts). Types only, so the
 * browser build and the Node build can both compile it.
 */

/** One recorded delivery attempt: a forward, a replay or the sender's own. */
export interface AttemptView {
  id: number;
  delivery_id: string;
  source: string;
  event: string | null;
  event_id: string | null;
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

/** An attempt as a replay from the page answers it, before it is read back from the store. */
export type ReplayAttemptView = Omit<AttemptView, "id" | "delivery_id" | "source" | "event" | "event_id" | "request_id">;

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
  /** Why the payload was never checked against its event's schema (no envelope to read), or null. */
  schema_unchecked: string | null;
  headers: [string, string][];
  body: BodyView;
  /** Every attempt recorded for this request or its event_id (forwards, replays, the sender's own), newest sent first. */
  attempts: AttemptView[];
}

export interface ListAnswer {
  requests: RequestSummary[];
  next_before: number | null;
  searched_down_to: number | null;
  total: number | null;
  /**
   * The newest stored id when the first page was read (null on older pages and on a check of live
   * rows, which give `before` or `after`), filters or not: the
   * page's live stream starts after it, not after the newest row the filters happened to show.
   */
  newest_id: number | null;
}

export interface InfoAnswer {
  forward_to: string | null;
  events: readonly string[];
  total: number;
}

export interface ReplayAnswer {
  /** The answer is the one expected: a 2xx, or a 4XX for a request sent as recorded that is to be refused. */
  ok: boolean;
  url: string;
  mode: "resigned" | "recorded";
  /** Sent as recorded, a request the app should refuse: its x-timestamp's age, or its verdict when it arrived. */
  expected_refusal: { kind: "stale"; age_seconds: number } | { kind: "untimely"; timestamp: string } | { kind: "unverified"; verification: string } | null;
  /** The original was not verified; it was re-signed because the user confirmed it. */
  unverified: boolean;
  /** listen rejected the original after verifying it (not a Pinwheel event); it was re-signed because the user confirmed it. */
  rejected: boolean;
  attempts: ReplayAttemptView[];
}

/** The page's live stream (server-sent events): each event's name and the JSON it carries. */
export interface StreamEvents {
  request: RequestSummary;
  forward: { request_id: number; forward: ForwardView; attempts: number };
  attempts: { request_id: number };
  reset: { reason: string };
}
