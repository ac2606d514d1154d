import { Agent, request, type Dispatcher } from "undici";
import { lookupLocalhostAsLoopback } from "../loopback-lookup.js";
import { describeTransportError } from "../transport-error.js";
import { ApiTransportError, PinwheelApiError } from "./errors.js";
import type { ApiErrorBody, CreateWebhookBody, ListParams, UpdateWebhookBody, Webhook, WebhookPage, WebhooksApi } from "./types.js";

export interface HttpClientOptions {
  /** e.g. https://sandbox.getpinwheel.com or http://127.0.0.1:4010 (a running `pinwheel-cli mock`). */
  baseUrl: string;
  secret: string;
  apiVersion: string;
  timeoutMs: number;
  /** Tests and callers with their own pool pass one; it is then theirs to close. */
  dispatcher?: Dispatcher;
  /** Abandons a call in flight (an MCP client cancelled): it fails as an aborted request. */
  signal?: AbortSignal;
}

export interface HttpWebhooksApi extends WebhooksApi {
  close(): Promise<void>;
}

const SHOWN_BODY_CHARS = 200;

function describeFailure(error: unknown, url: string, timeoutMs: number): ApiTransportError {
  const failure = describeTransportError(error, timeoutMs);
  return new ApiTransportError(failure.kind, url, failure.message);
}

function isErrorBody(value: unknown): value is ApiErrorBody {
  const error = value as Partial<ApiErrorBody> | null;
  return Boolean(error && typeof error === "object" && typeof error.type === "string" && typeof error.message === "string");
}

function unexpected(url: string, statusCode: number, text: string, why: string): ApiTransportError {
  const excerpt = text.length > SHOWN_BODY_CHARS ? `${text.slice(0, SHOWN_BODY_CHARS)}…` : text;
  return new ApiTransportError("unexpected_answer", url, `HTTP ${statusCode}, ${why}: ${excerpt.replace(/\s+/g, " ") || "(empty body)"}`, statusCode);
}

export interface JsonCaller {
  readonly base: string;
  /** One request with x-api-secret and Pinwheel-Version; Pinwheel's error shape becomes a PinwheelApiError. */
  call(method: "GET" | "POST" | "PUT" | "DELETE", path: string, body?: unknown): Promise<unknown>;
  close(): Promise<void>;
}

/** The HTTP plumbing every client of the Pinwheel API (or of a running mock) shares. */
export function createJsonCaller(options: HttpClientOptions): JsonCaller {
  const base = options.baseUrl.replace(/\/+$/, "");
  const dispatcher: Dispatcher =
    options.dispatcher ??
    new Agent({ headersTimeout: options.timeoutMs, bodyTimeout: options.timeoutMs, connect: { timeout: options.timeoutMs, lookup: lookupLocalhostAsLoopback } });
  const ownAgent = dispatcher === options.dispatcher ? undefined : dispatcher;

  async function call(method: "GET" | "POST" | "PUT" | "DELETE", path: string, body?: unknown): Promise<unknown> {
    const url = `${base}${path}`;
    const headers: Record<string, string> = {
      accept: "application/json",
      "x-api-secret": options.secret,
      "Pinwheel-Version": options.apiVersion,
    };
    const payload = body === undefined ? undefined : JSON.stringify(body);
    if (payload !== undefined) headers["content-type"] = "application/json";
    let statusCode: number;
    let text: string;
    try {
      const response = await request(url, {
        method,
        headers,
        body: payload,
        dispatcher,
        signal: options.signal ? AbortSignal.any([AbortSignal.timeout(options.timeoutMs), options.signal]) : AbortSignal.timeout(options.timeoutMs),
      });
      statusCode = response.statusCode;
      text = await response.body.text();
    } catch (error) {
      throw describeFailure(error, url, options.timeoutMs);
    }
    let json: unknown;
    try {
      json = text === "" ? undefined : JSON.parse(text);
    } catch {
      throw unexpected(url, statusCode, text, "not JSON");
    }
    const errorBody = (json as { error?: unknown } | undefined)?.error;
    if (isErrorBody(errorBody)) {
      throw new PinwheelApiError({ ...errorBody, status_code: typeof errorBody.status_code === "number" ? errorBody.status_code : statusCode });
    }
    if (statusCode < 200 || statusCode >= 300) throw unexpected(url, statusCode, text, "not Pinwheel's error shape");
    return json;
  }

  return {
    base,
    call,
    async close() {
      await ownAgent?.close();
    },
  };
}

/** Pinwheel's /v1/webhooks over HTTP, with x-api-secret and Pinwheel-Version on every request. */
export function createHttpWebhooksApi(options: HttpClientOptions): HttpWebhooksApi {
  const { base, call, close } = createJsonCaller(options);

  function dataOf(url: string, json: unknown): Webhook {
    const data = (json as { data?: unknown } | undefined)?.data;
    if (!data || typeof data !== "object" || Array.isArray(data)) {
      throw unexpected(url, 200, JSON.stringify(json ?? null), "no webhook in `data`");
    }
    return data as Webhook;
  }

  const collection = "/v1/webhooks";
  const item = (id: string) => `${collection}/${encodeURIComponent(id)}`;

  return {
    async create(body: CreateWebhookBody) {
      return dataOf(base + collection, await call("POST", collection, body));
    },
    async list(params: ListParams = {}) {
      const query = new URLSearchParams();
      if (params.limit !== undefined) query.set("limit", String(params.limit));
      if (params.cursor !== undefined) query.set("cursor", params.cursor);
      const path = query.size ? `${collection}?${query}` : collection;
      const json = (await call("GET", path)) as Partial<WebhookPage> | undefined;
      if (!json || !Array.isArray(json.data)) throw unexpected(base + path, 200, JSON.stringify(json ?? null), "no list in `data`");
      const nextCursor = json.meta?.next_cursor;
      return {
        data: json.data,
        meta: { count: json.meta?.count ?? json.data.length, next_cursor: typeof nextCursor === "string" && nextCursor !== "" ? nextCursor : null },
      };
    },
    async get(id: string) {
      return dataOf(base + item(id), await call("GET", item(id)));
    },
    async update(id: string, body: UpdateWebhookBody) {
      return dataOf(base + item(id), await call("PUT", item(id), body));
    },
    async delete(id: string) {
      await call("DELETE", item(id));
    },
    close,
  };
}
