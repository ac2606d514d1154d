import type { PinwheelVersion, WebhookStatus } from "./environments.js";

/** A webhook exactly as Pinwheel returns it (FACTS.md). */
export interface Webhook {
  id: string;
  url: string;
  status: WebhookStatus;
  enabled_events: string[];
  version: PinwheelVersion;
  created_at: string;
  last_updated: string;
}

/** POST /v1/webhooks: every field is required. */
export interface CreateWebhookBody {
  url: string;
  status: WebhookStatus;
  enabled_events: string[];
  version: PinwheelVersion;
}

/** PUT /v1/webhooks/{id}: any of these, at least one. */
export interface UpdateWebhookBody {
  url?: string;
  status?: WebhookStatus;
  enabled_events?: string[];
}

export interface ListParams {
  limit?: number;
  cursor?: string;
}

export interface WebhookPage {
  data: Webhook[];
  meta: { count: number; next_cursor: string | null };
}

export type ApiErrorType = "INVALID_REQUEST_PARAMETERS" | "RECORD_NOT_FOUND" | "UNAUTHORIZED_REQUEST" | "UNKNOWN_ERROR";

export interface ApiFieldError {
  name: string;
  message: string;
}

/** The `error` member of every Pinwheel error answer. */
export interface ApiErrorBody {
  type: ApiErrorType;
  code: string;
  message: string;
  status_code: number;
  fields?: ApiFieldError[];
}

/**
 * Pinwheel's webhooks API. Two implementations: the HTTP client (src/api/client.ts) and the
 * local registry (src/registry/local.ts), which `pinwheel-cli mock` serves over HTTP. Both
 * reject with PinwheelApiError carrying the same error body for the same mistake.
 */
export interface WebhooksApi {
  create(body: CreateWebhookBody): Promise<Webhook>;
  list(params?: ListParams): Promise<WebhookPage>;
  get(id: string): Promise<Webhook>;
  update(id: string, body: UpdateWebhookBody): Promise<Webhook>;
  delete(id: string): Promise<void>;
}
