import type { IncomingMessage } from "node:http";
import { attemptJson } from "../delivery/attempt-json.js";
import type { ExpectedRefusal } from "../delivery/replay-item.js";
import { EVENT_NAMES, isEventName } from "../events/catalog.js";
import { HttpError } from "../http/http-error.js";
import { readJsonObject } from "../http/json-body.js";
import { redactUrl } from "../redact-url.js";
import type { DeliveryAttempt, DeliveryStore } from "../store/deliveries.js";
import type { ListedRequest, RequestStore, StoredRequest } from "../store/requests.js";
import { VERDICT_FILTERS } from "../verification-reasons.js";
import { didYouMean } from "../suggest.js";
import { listPage } from "./listing.js";
import { ID, optionalId, optionalText } from "./query.js";
import type { Replayer, ReplayMode, ReplayTarget } from "./replay.js";
import type { InfoAnswer, ListAnswer, ReplayAnswer, RequestDetail, RequestSummary } from "./ui/types.js";
import { forwardView, requestDetail, requestSummary } from "./views.js";

/** What the API reads and writes in one run of listen. */
export interface AnswerSources {
  requests: RequestStore;
  deliveries: DeliveryStore;
  replayer: Replayer;
  /** listen --forward-to, shown redacted. */
  forwardUrl: string | undefined;
}

const MAX_PAGE = 200;
const MAX_REPLAY_BODY = 16 * 1024;

function attemptsOfRequest(sources: AnswerSources, id: number): DeliveryAttempt[] {
  return sources.deliveries.list({ requestId: id, limit: 500 });
}

export function summaryOf(sources: AnswerSources, request: ListedRequest): RequestSummary {
  return requestSummary(request, forwardView(attemptsOfRequest(sources, request.id)));
}

export function findRequest(sources: AnswerSources, idText: string): StoredRequest {
  if (!ID.test(idText)) throw new HttpError(400, "invalid_id", "a request id is digits, e.g. /_/api/requests/42");
  const request = sources.requests.find(idText);
  if (!request) throw new HttpError(404, "not_found", `no stored request #${idText}`);
  return request;
}

export function infoAnswer(sources: AnswerSources): InfoAnswer {
  return { forward_to: sources.forwardUrl ? redactUrl(sources.forwardUrl) : null, events: EVENT_NAMES, total: sources.requests.count() };
}

export function detailAnswer(sources: AnswerSources, request: StoredRequest): RequestDetail {
  const own = attemptsOfRequest(sources, request.id);
  const seen = new Set(own.map((attempt) => attempt.id));
  // The sender's own attempts (simulate, other listeners' forwards) carry the event_id, not this row's id.
  const others = request.eventId ? sources.deliveries.list({ eventId: request.eventId, limit: 200 }).filter((a) => !seen.has(a.id)) : [];
  const detail = requestDetail(request, [...own, ...others]);
  return { ...detail, forward: forwardView(own) };
}

function eventFilter(sources: AnswerSources, url: URL): string | undefined {
  const event = optionalText(url, "event");
  // As the CLI's --event: a catalog name, or one some stored request carries; anything else is a typo.
  if (event !== undefined && !isEventName(event) && sources.requests.count({ event }) === 0) {
    const hint = didYouMean(event, EVENT_NAMES);
    throw new HttpError(400, "invalid_query", `unknown event "${event}"; ${hint || "no stored request carries it, and it is not a Pinwheel event"}`);
  }
  return event;
}

export function listAnswer(sources: AnswerSources, url: URL): ListAnswer {
  const limit = optionalId(url, "limit") ?? 50;
  if (limit < 1 || limit > MAX_PAGE) throw new HttpError(400, "invalid_query", `limit must be from 1 to ${MAX_PAGE}`);
  const beforeId = optionalId(url, "before");
  const afterId = optionalId(url, "after");
  const first = beforeId === undefined && afterId === undefined;
  const verdict = optionalText(url, "verdict");
  if (verdict !== undefined && !VERDICT_FILTERS.includes(verdict)) {
    throw new HttpError(400, "invalid_query", `verdict must be one of ${VERDICT_FILTERS.join(", ")}`);
  }
  const event = eventFilter(sources, url);
  // Read first: a row stored after it reaches the page over the stream, whatever the filters show.
  const newest = first ? (sources.requests.list({ limit: 1 })[0]?.id ?? 0) : null;
  const page = listPage(sources.requests, { event, verdict, text: optionalText(url, "q"), beforeId, afterId, limit });
  return {
    requests: page.requests.map((row) => summaryOf(sources, row)),
    next_before: page.nextBefore,
    searched_down_to: page.searchedDownTo,
    // Counting is cheap (an index), but only the first page needs it.
    total: first ? sources.requests.count() : null,
    newest_id: newest,
  };
}

interface ReplayRequest {
  target: ReplayTarget;
  mode: ReplayMode;
  includeUnverified: boolean;
  includeRejected: boolean;
}

function replayRequest(body: Record<string, unknown>): ReplayRequest {
  const kind = body.target === "forward" || body.target === "url" ? body.target : undefined;
  if (!kind) throw new HttpError(400, "invalid_body", 'target must be "forward" or "url"');
  const mode: ReplayMode | undefined = body.mode === "recorded" ? "recorded" : body.mode === "resigned" || body.mode === undefined ? "resigned" : undefined;
  if (!mode) throw new HttpError(400, "invalid_body", 'mode must be "resigned" or "recorded"');
  for (const flag of ["include_unverified", "include_rejected"]) {
    if (body[flag] !== undefined && typeof body[flag] !== "boolean") throw new HttpError(400, "invalid_body", `${flag} must be true or false`);
  }
  return {
    target: { kind, url: typeof body.url === "string" ? body.url : undefined },
    mode,
    includeUnverified: body.include_unverified === true,
    includeRejected: body.include_rejected === true,
  };
}

export async function replayAnswer(sources: AnswerSources, stored: StoredRequest, request: IncomingMessage): Promise<ReplayAnswer> {
  const { target, mode, includeUnverified, includeRejected } = replayRequest(await readJsonObject(request, MAX_REPLAY_BODY));
  const result = await sources.replayer.replay(stored, target, { mode, includeUnverified, includeRejected });
  return {
    ok: result.ok,
    url: result.url,
    mode: result.mode,
    expected_refusal: expectedRefusalJson(result.expectedRefusal),
    unverified: result.unverified,
    rejected: result.rejected,
    attempts: result.attempts.map(attemptJson),
  };
}

function expectedRefusalJson(expected: ExpectedRefusal | null): ReplayAnswer["expected_refusal"] {
  if (expected === null) return null;
  if (expected.kind === "stale") return { kind: "stale", age_seconds: expected.ageSeconds };
  if (expected.kind === "untimely") return { kind: "untimely", timestamp: expected.timestamp };
  return { kind: "unverified", verification: expected.verification };
}
