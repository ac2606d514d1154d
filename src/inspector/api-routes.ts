import type { IncomingMessage, ServerResponse } from "node:http";
import { HttpError, sendError } from "../http/http-error.js";
import { sendJson } from "../http/json-answer.js";
import { SECURITY_HEADERS } from "../http/security-headers.js";
import { detailAnswer, findRequest, infoAnswer, listAnswer, replayAnswer, summaryOf, type AnswerSources } from "./answers.js";
import type { Guard } from "./guard.js";
import { ID, optionalId } from "./query.js";
import type { EventStream } from "./stream.js";
import type { StreamEvents } from "./ui/types.js";

/** Every API path is under this prefix. */
export const API_PREFIX = "/_/api/";

const CATCH_UP_ROWS = 200;

export interface ApiContext extends AnswerSources {
  guard: Guard;
  stream: EventStream<StreamEvents>;
  /** A page's stream opened, sent every row up to `upTo` (undefined: none asked for), so rows other processes store can follow. */
  streamOpened?(upTo: number | undefined): void;
}

interface ApiCall {
  request: IncomingMessage;
  response: ServerResponse;
  url: URL;
  /** The path's request id, as typed (checked by findRequest); "" on paths without one. */
  id: string;
}

interface ApiRoute {
  /** Matched against the path after API_PREFIX; its one group, if any, is the request id. */
  path: RegExp;
  /** Reads are GET or HEAD and carry the token in a header or the query; a write is a POST with the token in its header. */
  access: "read" | "write";
  /** A route that takes one method only, and what its 405 says. */
  only?: { method: string; message: string };
  answer(context: ApiContext, call: ApiCall): void | Promise<void>;
}

const answerJson = (response: ServerResponse, body: unknown): void => sendJson(response, 200, body, SECURITY_HEADERS);

/** The page's API. The paths do not overlap, so the order is only for reading. */
const ROUTES: readonly ApiRoute[] = [
  { path: /^info$/, access: "read", answer: (context, call) => answerJson(call.response, infoAnswer(context)) },
  { path: /^requests$/, access: "read", answer: (context, call) => answerJson(call.response, listAnswer(context, call.url)) },
  { path: /^stream$/, access: "read", only: { method: "GET", message: "open the stream with GET" }, answer: openStream },
  { path: /^requests\/([^/]+)$/, access: "read", answer: (context, call) => answerJson(call.response, detailAnswer(context, findRequest(context, call.id))) },
  { path: /^requests\/([^/]+)\/body$/, access: "read", answer: downloadBody },
  { path: /^requests\/([^/]+)\/replay$/, access: "write", only: { method: "POST", message: "replay with POST" }, answer: replay },
];

function openStream(context: ApiContext, { request, response, url }: ApiCall): void {
  const lastEventId = request.headers["last-event-id"];
  const after = typeof lastEventId === "string" && ID.test(lastEventId) ? Number(lastEventId) : optionalId(url, "after");
  let sentUpTo = after;
  const opened = context.stream.open(request, response, (send) => {
    if (after === undefined) return;
    const missed = context.requests.list({ afterId: after, ascending: true, limit: CATCH_UP_ROWS + 1 });
    // Too much to replay over the stream: the page reloads its list from the API instead.
    if (missed.length > CATCH_UP_ROWS) {
      sentUpTo = undefined;
      return send("reset", { reason: "too many new requests" });
    }
    for (const row of missed) send("request", summaryOf(context, row), row.id);
    sentUpTo = missed.at(-1)?.id ?? after;
  });
  if (opened) context.streamOpened?.(sentUpTo);
  else if (context.stream.closed) sendError(response, 503, "stopping", "the inspector is stopping", { ...SECURITY_HEADERS, connection: "close" });
  else sendError(response, 503, "too_many_streams", "too many inspector pages are open; close one", { ...SECURITY_HEADERS, "retry-after": "5" });
}

function downloadBody(context: ApiContext, { response, id }: ApiCall): void {
  const stored = findRequest(context, id);
  response.writeHead(200, {
    ...SECURITY_HEADERS,
    "content-type": "application/octet-stream",
    "content-length": stored.body.length,
    "content-disposition": `attachment; filename="request-${stored.id}.body"`,
  });
  response.end(stored.body);
}

async function replay(context: ApiContext, { request, response, id }: ApiCall): Promise<void> {
  const stored = findRequest(context, id);
  const answer = await replayAnswer(context, stored, request);
  context.stream.publish("attempts", { request_id: stored.id });
  answerJson(response, answer);
}

function checkMethod(route: ApiRoute, method: string): void {
  if (route.only && method !== route.only.method) throw new HttpError(405, "method_not_allowed", route.only.message, { allow: route.only.method });
}

/**
 * Answers one call under API_PREFIX. A write's method and token are checked first. Anything else
 * must be a read with the token before it learns whether the path exists.
 */
export async function answerApi(context: ApiContext, request: IncomingMessage, response: ServerResponse, url: URL): Promise<void> {
  const method = request.method ?? "GET";
  const path = url.pathname.slice(API_PREFIX.length);
  const route = ROUTES.find((candidate) => candidate.path.test(path));
  if (route?.access === "write") {
    checkMethod(route, method);
    context.guard.checkWrite(request);
  } else {
    if (method !== "GET" && method !== "HEAD") throw new HttpError(405, "method_not_allowed", `${method} is not allowed here`, { allow: "GET, HEAD" });
    context.guard.checkRead(request, url);
    if (!route) throw new HttpError(404, "not_found", `no inspector API at ${url.pathname}`);
    checkMethod(route, method);
  }
  await route.answer(context, { request, response, url, id: route.path.exec(path)?.[1] ?? "" });
}
