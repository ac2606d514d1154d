/** The JSON the inspector's API answers with; mirrors src/inspector/views.ts. */

export interface ForwardView {
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

export interface AttemptView {
  id?: number;
  source?: string;
  request_id?: number | null;
  attempt: number;
  url: string;
  started_at: string;
  duration_ms: number;
  status_code: number | null;
  ok: boolean;
  error: string | null;
  response_body: string | null;
}

export interface RequestDetail extends RequestSummary {
  remote_address: string | null;
  webhook_id: string | null;
  schema_errors: { path: string; message: string }[];
  headers: [string, string][];
  body: { size: number; truncated: boolean; utf8: boolean; raw: string; pretty: string | null };
  attempts: AttemptView[];
}

export interface ListAnswer {
  requests: RequestSummary[];
  next_before: number | null;
  searched_down_to: number | null;
  total: number | null;
}

export interface InfoAnswer {
  forward_to: string | null;
  events: string[];
  total: number;
}

export interface ReplayAnswer {
  ok: boolean;
  url: string;
  mode: "resigned" | "recorded";
  attempts: AttemptView[];
}
