import type { IncomingMessage, ServerResponse } from "node:http";
import type { DeliveryReport } from "../delivery/deliver.js";
import { EVENT_NAMES, isEventName } from "../events/catalog.js";
import { didYouMean } from "../suggest.js";
import { attemptJson, forwardJson } from "../delivery/attempt-json.js";
import type { Db } from "../store/database.js";
import { deliveryStore, type DeliveryAttempt } from "../store/deliveries.js";
import { requestStore, VERDICT_FILTERS, type StoredRequest } from "../store/requests.js";
import { createAssets, DEFAULT_ASSETS_DIR } from "./assets.js";
import { createGuard, newToken } from "./guard.js";
import { HttpError, readJsonObject, SECURITY_HEADERS, sendError, sendJson } from "./http.js";
import { listPage } from "./listing.js";
import { createReplayer, type ReplayMode, type ReplayTarget } from "./replay.js";
import { EventStream, type StreamOptions } from "./stream.js";
import type { InfoAnswer, ListAnswer, ReplayAnswer, RequestDetail, StreamEvents } from "./ui/types.js";
import { forwardView, requestDetail, requestSummary, type ForwardView } from "./views.js";
import { defined } from "../invariant.js";
import { redactUrl } from "../redact-url.js";

export { TOKEN_HEADER } from "./guard.js";
export type { RequestDetail, RequestSummary, AttemptView, ForwardView } from "./views.js";

/** The page lives under this path; every other path stays the webhook endpoint. */
export const INSPECTOR_PATH = "/_/";

export interface InspectorOptions {
  db: Db;
  /** The listener's secret: replays to a typed URL are re-signed with it. */
  secret: string;
  /** listen --forward-to, and the secret forwards are signed with (--forward-secret or the listener's). */
  forward?: { url: string; secret: string };
  /** Per-attempt timeout of a replay. */
  replayTimeoutMs?: number;
  /** listen binds to loopback: refuse requests whose Host names anything else (DNS rebinding). */
  loopbackOnly: boolean;
  /** Where the built page is (default: dist/inspector/ui beside this module). */
  assetsDir?: string;
  stream?: StreamOptions;
}

export interface Inspector {
  /** This run's token; the page gets it in a meta tag. */
  readonly token: string;
  /** For the receiver's `routes`: handles every request under /_/ and returns true for those. */
  routes(request: IncomingMessage, response: ServerResponse): boolean;
  /** A request was stored; `forwarding` when listen is sending it on to the app. */
  publishRequest(request: StoredRequest, options?: { forwarding?: boolean }): void;
  /** listen's forward of a request finished (the app answered, or did not). */
  publishForward(request: StoredRequest, report: DeliveryReport): void;
  /** Ends every open stream (so the server can close) and waits for replays in flight. */
  close(): Promise<void>;
}

const MAX_PAGE = 200;
const CATCH_UP_ROWS = 200;
const ID = /^\d{1,15}$/;

function isInspectorPath(path: string): boolean {
  return path === "/_" || path.startsWith("/_/") || path.startsWith("/_?");
}

function optionalText(url: URL, name: string, maxLength = 200): string | undefined {
  const value = url.searchParams.get(name)?.trim();
  if (!value) return undefined;
  if (value.length > maxLength) throw new HttpError(400, "invalid_query", `${name} is longer than ${maxLength} characters`);
  return value;
}

function optionalId(url: URL, name: string): number | undefined {
  const value = url.searchParams.get(name);
  if (value === null || value === "") return undefined;
  if (!ID.test(value)) throw new HttpError(400, "invalid_query", `${name} must be a request id (digits)`);
  return Number(value);
}

export function createInspector(options: InspectorOptions): Inspector {
  const token = newToken();
  const guard = createGuard({ token, loopbackOnly: options.loopbackOnly });
  const assets = createAssets(options.assetsDir ?? DEFAULT_ASSETS_DIR, token);
  const requests = requestStore(options.db);
  const deliveries = deliveryStore(options.db);
  const stream = new EventStream<StreamEvents>(options.stream);
  const replayer = createReplayer({
    db: options.db,
    secret: options.secret,
    forward: options.forward,
    timeoutMs: options.replayTimeoutMs ?? 15_000,
  });

  const attemptsOfRequest = (id: number): DeliveryAttempt[] => deliveries.list({ requestId: id, limit: 500 });
  const summaryOf = (request: StoredRequest) => requestSummary(request, forwardView(attemptsOfRequest(request.id)));

  function findRequest(idText: string): StoredRequest {
    if (!ID.test(idText)) throw new HttpError(400, "invalid_id", "a request id is digits, e.g. /_/api/requests/42");
    const request = requests.find(idText);
    if (!request) throw new HttpError(404, "not_found", `no stored request #${idText}`);
    return request;
  }

  function detailOf(request: StoredRequest): RequestDetail {
    const own = attemptsOfRequest(request.id);
    const seen = new Set(own.map((attempt) => attempt.id));
    // The sender's own attempts (simulate, other listeners' forwards) carry the event_id, not this row's id.
    const others = request.eventId ? deliveries.list({ eventId: request.eventId, limit: 200 }).filter((a) => !seen.has(a.id)) : [];
    const detail = requestDetail(request, [...own, ...others]);
    return { ...detail, forward: forwardView(own) };
  }

  function list(url: URL): ListAnswer {
    const limit = optionalId(url, "limit") ?? 50;
    if (limit < 1 || limit > MAX_PAGE) throw new HttpError(400, "invalid_query", `limit must be from 1 to ${MAX_PAGE}`);
    const beforeId = optionalId(url, "before");
    const verdict = optionalText(url, "verdict");
    if (verdict !== undefined && !VERDICT_FILTERS.includes(verdict)) {
      throw new HttpError(400, "invalid_query", `verdict must be one of ${VERDICT_FILTERS.join(", ")}`);
    }
    const event = optionalText(url, "event");
    // As the CLI's --event: a catalog name, or one some stored request carries; anything else is a typo.
    if (event !== undefined && !isEventName(event) && requests.count({ event }) === 0) {
      const hint = didYouMean(event, EVENT_NAMES);
      throw new HttpError(400, "invalid_query", `unknown event "${event}"; ${hint || "no stored request carries it, and it is not a Pinwheel event"}`);
    }
    const page = listPage(requests, {
      event,
      verdict,
      text: optionalText(url, "q"),
      beforeId,
      limit,
    });
    return {
      requests: page.requests.map(summaryOf),
      next_before: page.nextBefore,
      searched_down_to: page.searchedDownTo,
      // Counting is cheap (an index), but only the first page needs it.
      total: beforeId === undefined ? requests.count() : null,
    };
  }

  async function replay(request: IncomingMessage, idText: string): Promise<ReplayAnswer> {
    const stored = findRequest(idText);
    const body = await readJsonObject(request);
    const kind = body.target === "forward" || body.target === "url" ? body.target : undefined;
    if (!kind) throw new HttpError(400, "invalid_body", 'target must be "forward" or "url"');
    const mode: ReplayMode | undefined = body.mode === "recorded" ? "recorded" : body.mode === "resigned" || body.mode === undefined ? "resigned" : undefined;
    if (!mode) throw new HttpError(400, "invalid_body", 'mode must be "resigned" or "recorded"');
    const target: ReplayTarget = { kind, url: typeof body.url === "string" ? body.url : undefined };
    if (body.include_unverified !== undefined && typeof body.include_unverified !== "boolean") {
      throw new HttpError(400, "invalid_body", "include_unverified must be true or false");
    }
    const result = await replayer.replay(stored, target, { mode, includeUnverified: body.include_unverified === true });
    stream.publish("attempts", { request_id: stored.id });
    return {
      ok: result.ok,
      url: result.url,
      mode: result.mode,
      unverified: result.unverified,
      attempts: result.attempts.map(attemptJson),
    };
  }

  function openStream(request: IncomingMessage, response: ServerResponse, url: URL): void {
    const lastEventId = request.headers["last-event-id"];
    const after = typeof lastEventId === "string" && ID.test(lastEventId) ? Number(lastEventId) : optionalId(url, "after");
    const opened = stream.open(request, response, (send) => {
      if (after === undefined) return;
      const missed = requests.list({ afterId: after, ascending: true, limit: CATCH_UP_ROWS + 1 });
      // Too much to replay over the stream: the page reloads its list from the API instead.
      if (missed.length > CATCH_UP_ROWS) return send("reset", { reason: "too many new requests" });
      for (const row of missed) send("request", summaryOf(row), row.id);
    });
    if (!opened) sendError(response, 503, "too_many_streams", "too many inspector pages are open; close one", { "retry-after": "5" });
  }

  async function api(request: IncomingMessage, response: ServerResponse, url: URL): Promise<void> {
    const method = request.method ?? "GET";
    const path = url.pathname.slice("/_/api/".length);
    const detail = /^requests\/([^/]+)$/.exec(path);
    const body = /^requests\/([^/]+)\/body$/.exec(path);
    const replayPath = /^requests\/([^/]+)\/replay$/.exec(path);
    if (replayPath) {
      if (method !== "POST") throw new HttpError(405, "method_not_allowed", "replay with POST", { allow: "POST" });
      guard.checkWrite(request);
      return sendJson(response, 200, await replay(request, defined(replayPath[1], "the replay path's id")));
    }
    if (method !== "GET" && method !== "HEAD") throw new HttpError(405, "method_not_allowed", `${method} is not allowed here`, { allow: "GET, HEAD" });
    guard.checkRead(request, url);
    if (path === "info") {
      const info: InfoAnswer = { forward_to: options.forward ? redactUrl(options.forward.url) : null, events: EVENT_NAMES, total: requests.count() };
      return sendJson(response, 200, info);
    }
    if (path === "requests") return sendJson(response, 200, list(url));
    if (path === "stream") {
      if (method !== "GET") throw new HttpError(405, "method_not_allowed", "open the stream with GET", { allow: "GET" });
      return openStream(request, response, url);
    }
    if (detail) return sendJson(response, 200, detailOf(findRequest(defined(detail[1], "the detail path's id"))));
    if (body) {
      const stored = findRequest(defined(body[1], "the body path's id"));
      response.writeHead(200, {
        ...SECURITY_HEADERS,
        "content-type": "application/octet-stream",
        "content-length": stored.body.length,
        "content-disposition": `attachment; filename="request-${stored.id}.body"`,
      });
      response.end(stored.body);
      return;
    }
    throw new HttpError(404, "not_found", `no inspector API at ${url.pathname}`);
  }

  async function handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const url = new URL(request.url ?? "/", "http://inspector.invalid");
    guard.checkHost(request);
    if (url.pathname === "/_") {
      response.writeHead(308, { ...SECURITY_HEADERS, location: INSPECTOR_PATH, "content-length": 0 });
      response.end();
      return;
    }
    if (url.pathname.startsWith("/_/api/")) return api(request, response, url);
    const method = request.method ?? "GET";
    if (method !== "GET" && method !== "HEAD") {
      throw new HttpError(405, "method_not_allowed", "the inspector's pages are read with GET; webhooks go to any path outside /_/", {
        allow: "GET, HEAD",
      });
    }
    const name = url.pathname.slice(INSPECTOR_PATH.length);
    const asset = name === "" || name === "index.html" ? assets.page() : assets.file(name);
    if (!asset) {
      if (name === "") throw new HttpError(500, "assets_missing", "the inspector page was not built; run npm run build");
      throw new HttpError(404, "not_found", `no inspector file ${url.pathname}`);
    }
    response.writeHead(200, { ...SECURITY_HEADERS, "content-type": asset.contentType, "content-length": asset.body.length });
    // Node leaves the body out of an answer to HEAD by itself.
    response.end(asset.body);
  }

  return {
    token,
    routes(request, response) {
      if (!isInspectorPath(request.url ?? "/")) return false;
      handle(request, response).catch((error: unknown) => {
        if (response.headersSent) return void response.destroy();
        if (error instanceof HttpError) return sendError(response, error.statusCode, error.code, error.message, error.headers);
        sendError(response, 500, "internal_error", error instanceof Error ? error.message : String(error));
      });
      return true;
    },
    publishRequest(request, publishOptions = {}) {
      // Called for every request listen stores: with no page open there is nothing to build.
      if (stream.size === 0) return;
      const pending: ForwardView | null = publishOptions.forwarding
        ? { pending: true, status_code: null, ok: false, error: null, duration_ms: null, url: options.forward ? redactUrl(options.forward.url) : null }
        : null;
      stream.publish("request", requestSummary(request, pending), request.id);
    },
    publishForward(request, report) {
      const forward: ForwardView = { pending: false, ...forwardJson(report) };
      stream.publish("forward", { request_id: request.id, forward, attempts: report.attempts.length });
    },
    async close() {
      stream.close();
      await replayer.close();
    },
  };
}
