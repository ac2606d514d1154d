import { isPinwheelVersion, MAX_PAGE_SIZE, PINWHEEL_VERSIONS, WEBHOOK_STATUSES, type WebhookStatus } from "../api/environments.js";
import type { ApiErrorBody, ApiFieldError, CreateWebhookBody, ListParams, UpdateWebhookBody } from "../api/types.js";
import { EVENT_NAMES } from "../events/catalog.js";
import { didYouMean } from "../suggest.js";
import { invalidParameters } from "./errors.js";
import { isLoopbackHost } from "../loopback.js";
import { redactTypedUrl, redactUrl } from "../redact-url.js";

/**
 * The one validation of webhook bodies: the local registry, the mock server and the CLI's own
 * checks before a request all use it, so they refuse the same input with the same words.
 */

export type Validated<T> = { ok: true; value: T } | { ok: false; error: ApiErrorBody };

export interface ValidateOptions {
  /** The local stand-in also accepts http://localhost and http://127.0.0.1, where `listen` runs. */
  allowLoopbackHttp: boolean;
}

/** Every name enabled_events accepts: the catalog's events, documented or not. */
export const ENABLEABLE_EVENTS: readonly string[] = EVENT_NAMES;
const ENABLEABLE = new Set(ENABLEABLE_EVENTS);

const CREATE_FIELDS = ["url", "status", "enabled_events", "version"] as const;
const UPDATE_FIELDS = ["url", "status", "enabled_events"] as const;

function checkUrl(value: unknown, options: ValidateOptions, fields: ApiFieldError[]): string | undefined {
  if (typeof value !== "string") return void fields.push({ name: "url", message: "must be a string" });
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return void fields.push({ name: "url", message: `"${redactTypedUrl(value)}" is not a valid URL` });
  }
  if (url.protocol === "https:") return value;
  if (url.protocol === "http:" && options.allowLoopbackHttp && isLoopbackHost(url.hostname)) return value;
  const local = options.allowLoopbackHttp ? " (http:// only for localhost or 127.0.0.1)" : "";
  return void fields.push({ name: "url", message: `must start with https://${local}, got "${redactUrl(value)}"` });
}

function checkStatus(value: unknown, fields: ApiFieldError[]): WebhookStatus | undefined {
  if (typeof value === "string" && (WEBHOOK_STATUSES as readonly string[]).includes(value)) return value as WebhookStatus;
  const lower = typeof value === "string" && (WEBHOOK_STATUSES as readonly string[]).includes(value.toLowerCase());
  fields.push({
    name: "status",
    message: `must be "active" or "paused"${lower ? ` (lowercase: "${(value as string).toLowerCase()}")` : ""}, got ${JSON.stringify(value)}`,
  });
  return undefined;
}

function checkEvents(value: unknown, fields: ApiFieldError[]): string[] | undefined {
  if (!Array.isArray(value)) return void fields.push({ name: "enabled_events", message: "must be a list of event names" });
  if (value.length === 0) return void fields.push({ name: "enabled_events", message: "must name at least one event" });
  const before = fields.length;
  value.forEach((name: unknown, index) => {
    const field = `enabled_events[${index}]`;
    if (typeof name !== "string") return void fields.push({ name: field, message: "must be a string" });
    if (ENABLEABLE.has(name)) return;
    const hint = didYouMean(name, ENABLEABLE_EVENTS);
    fields.push({ name: field, message: `"${name}" is not a Pinwheel event${hint ? `; ${hint}` : ""}` });
  });
  // A name listed twice is one subscription, as in a set.
  return fields.length === before ? [...new Set(value as string[])] : undefined;
}

function checkVersion(value: unknown, fields: ApiFieldError[]): CreateWebhookBody["version"] | undefined {
  if (typeof value === "string" && isPinwheelVersion(value)) return value;
  return void fields.push({ name: "version", message: `must be one of ${PINWHEEL_VERSIONS.join(", ")}, got ${JSON.stringify(value)}` });
}

function unknownFields(body: Record<string, unknown>, allowed: readonly string[], fields: ApiFieldError[]): void {
  for (const key of Object.keys(body)) {
    if (allowed.includes(key)) continue;
    const message =
      key === "version" ? "cannot be changed; create a new webhook for another version" : `is not a webhook field; expected ${allowed.join(", ")}`;
    fields.push({ name: key, message });
  }
}

function asObject(body: unknown, fields: ApiFieldError[]): Record<string, unknown> | undefined {
  if (body && typeof body === "object" && !Array.isArray(body)) return body as Record<string, unknown>;
  return void fields.push({ name: "body", message: "must be a JSON object" });
}

export function validateCreateBody(body: unknown, options: ValidateOptions): Validated<CreateWebhookBody> {
  const fields: ApiFieldError[] = [];
  const object = asObject(body, fields);
  if (!object) return { ok: false, error: invalidParameters(fields) };
  for (const key of CREATE_FIELDS) {
    if (object[key] === undefined) fields.push({ name: key, message: "is required" });
  }
  unknownFields(object, CREATE_FIELDS, fields);
  const url = object.url === undefined ? undefined : checkUrl(object.url, options, fields);
  const status = object.status === undefined ? undefined : checkStatus(object.status, fields);
  const events = object.enabled_events === undefined ? undefined : checkEvents(object.enabled_events, fields);
  const version = object.version === undefined ? undefined : checkVersion(object.version, fields);
  // Each is undefined only when a field error says why.
  if (fields.length > 0 || url === undefined || status === undefined || events === undefined || version === undefined) {
    return { ok: false, error: invalidParameters(fields) };
  }
  return { ok: true, value: { url, status, enabled_events: events, version } };
}

export function validateUpdateBody(body: unknown, options: ValidateOptions): Validated<UpdateWebhookBody> {
  const fields: ApiFieldError[] = [];
  const object = asObject(body, fields);
  if (!object) return { ok: false, error: invalidParameters(fields) };
  unknownFields(object, UPDATE_FIELDS, fields);
  if (fields.length === 0 && UPDATE_FIELDS.every((key) => object[key] === undefined)) {
    fields.push({ name: "body", message: `must change at least one of ${UPDATE_FIELDS.join(", ")}` });
  }
  const value: UpdateWebhookBody = {};
  if (object.url !== undefined) value.url = checkUrl(object.url, options, fields);
  if (object.status !== undefined) value.status = checkStatus(object.status, fields);
  if (object.enabled_events !== undefined) value.enabled_events = checkEvents(object.enabled_events, fields);
  if (fields.length > 0) return { ok: false, error: invalidParameters(fields) };
  return { ok: true, value };
}

export interface ValidListParams {
  limit: number;
  cursor: string | undefined;
}

/** `limit` and `cursor` as they arrive: numbers from the embedded client, strings from a query. */
export function validateListParams(params: { limit?: unknown; cursor?: unknown } | ListParams, defaultLimit: number): Validated<ValidListParams> {
  const fields: ApiFieldError[] = [];
  let limit = defaultLimit;
  if (params.limit !== undefined) {
    const raw = params.limit;
    const parsed = typeof raw === "number" ? raw : typeof raw === "string" && /^\d+$/.test(raw) ? Number(raw) : NaN;
    if (!Number.isInteger(parsed) || parsed < 1 || parsed > MAX_PAGE_SIZE) {
      fields.push({ name: "limit", message: `must be a whole number from 1 to ${MAX_PAGE_SIZE}, got ${JSON.stringify(raw)}` });
    } else {
      limit = parsed;
    }
  }
  if (params.cursor !== undefined && (typeof params.cursor !== "string" || params.cursor === "")) {
    fields.push({ name: "cursor", message: "must be the meta.next_cursor of a previous page" });
  }
  if (fields.length > 0) return { ok: false, error: invalidParameters(fields) };
  return { ok: true, value: { limit, cursor: params.cursor as string | undefined } };
}

const UUID_PATTERN = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export function isUuid(value: string): boolean {
  return UUID_PATTERN.test(value);
}
