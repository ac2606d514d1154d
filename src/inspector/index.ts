import type { IncomingMessage, ServerResponse } from "node:http";
import type { DeliveryReport } from "../delivery/deliver.js";
import { forwardJson } from "../delivery/attempt-json.js";
import { HttpError, sendThrown } from "../http/http-error.js";
import { SECURITY_HEADERS } from "../http/security-headers.js";
import type { Db } from "../store/database.js";
import { deliveryStore } from "../store/deliveries.js";
import { requestStore, type StoredRequest } from "../store/requests.js";
import { answerApi, API_PREFIX, type ApiContext } from "./api-routes.js";
import { createAssets, DEFAULT_ASSETS_DIR, type Assets } from "./assets.js";
import { createGuard, newToken } from "./guard.js";
import { createReplayer } from "./replay.js";
import { summaryOf } from "./answers.js";
import { StoreFollower } from "./store-follower.js";
import { EventStream, type StreamOptions } from "./stream.js";
import type { StreamEvents } from "./ui/types.js";
import { requestSummary, type ForwardView } from "./views.js";
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
  /** Ends every open stream (so the server can close) and waits for replays in flight; a second call waits for the first. */
  close(): Promise<void>;
}

function isInspectorPath(path: string): boolean {
  return path === "/_" || path.startsWith("/_/") || path.startsWith("/_?");
}

/** The page and its files: GET or HEAD, the Host checked, the API handed on. */
async function answerInspector(context: ApiContext, assets: Assets, request: IncomingMessage, response: ServerResponse): Promise<void> {
  const url = new URL(request.url ?? "/", "http://inspector.invalid");
  context.guard.checkHost(request);
  if (url.pathname === "/_") {
    response.writeHead(308, { ...SECURITY_HEADERS, location: INSPECTOR_PATH, "content-length": 0 });
    response.end();
    return;
  }
  if (url.pathname.startsWith(API_PREFIX)) return answerApi(context, request, response, url);
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

export function createInspector(options: InspectorOptions): Inspector {
  const token = newToken();
  const context: ApiContext = {
    guard: createGuard({ token, loopbackOnly: options.loopbackOnly }),
    requests: requestStore(options.db),
    deliveries: deliveryStore(options.db),
    stream: new EventStream<StreamEvents>(options.stream),
    replayer: createReplayer({ db: options.db, secret: options.secret, forward: options.forward, timeoutMs: options.replayTimeoutMs ?? 15_000 }),
    forwardUrl: options.forward?.url,
  };
  const assets = createAssets(options.assetsDir ?? DEFAULT_ASSETS_DIR, token);
  const { stream } = context;
  const follower = new StoreFollower(
    context.requests,
    (row) => stream.publish("request", summaryOf(context, row), row.id),
    () => stream.publish("reset", { reason: "stored requests were deleted" }),
    () => stream.size > 0,
  );
  context.streamOpened = (upTo) => follower.opened(upTo);
  let closing: Promise<void> | undefined;
  return {
    token,
    routes(request, response) {
      if (!isInspectorPath(request.url ?? "/")) return false;
      answerInspector(context, assets, request, response).catch((error: unknown) => sendThrown(response, error, SECURITY_HEADERS));
      return true;
    },
    publishRequest(request, publishOptions = {}) {
      // Called for every request listen stores: with no page open there is nothing to build.
      if (stream.size === 0) return;
      const pending: ForwardView | null = publishOptions.forwarding
        ? { pending: true, status_code: null, ok: false, error: null, duration_ms: null, url: options.forward ? redactUrl(options.forward.url) : null }
        : null;
      stream.publish("request", requestSummary(request, pending), request.id);
      follower.publishedOwn(request.id);
    },
    publishForward(request, report) {
      const forward: ForwardView = { pending: false, ...forwardJson(report) };
      stream.publish("forward", { request_id: request.id, forward, attempts: report.attempts.length });
    },
    close() {
      closing ??= (async () => {
        follower.stop();
        stream.close();
        await context.replayer.close();
      })();
      return closing;
    },
  };
}
