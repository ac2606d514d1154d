import type { InfoAnswer, ListAnswer, ReplayAnswer, RequestDetail } from "./types.js";

const TOKEN_HEADER = "x-pinwheel-inspector-token";

const TOKEN_META = 'meta[name="pinwheel-inspector-token"]';

/** The per-run token listen put in the page; only this page (same origin) can read it. */
export let token: string = document.querySelector<HTMLMetaElement>(TOKEN_META)?.content ?? "";

export class ApiError extends Error {
  constructor(message: string, readonly status: number | null = null) {
    super(message);
  }
}

/**
 * listen was restarted: its new run has a new token, which this page's calls lack (403). The new
 * run's page carries it, as reloading the page would get it, without losing the filters.
 */
export async function renewToken(): Promise<boolean> {
  const response = await fetch("/_/", { cache: "no-store" }).catch(() => null);
  if (!response?.ok) return false;
  // Parsed as an inert document: nothing in it runs or loads.
  const page = new DOMParser().parseFromString(await response.text(), "text/html");
  const renewed = page.querySelector<HTMLMetaElement>(TOKEN_META)?.content;
  if (!renewed || renewed === token) return false;
  token = renewed;
  return true;
}

async function call<T>(path: string, init: RequestInit = {}): Promise<T> {
  let response: Response;
  try {
    response = await fetch(path, { ...init, headers: { ...init.headers, [TOKEN_HEADER]: token }, cache: "no-store" });
  } catch {
    throw new ApiError("the listener is not answering; is pinwheel-cli listen still running?");
  }
  const body = (await response.json().catch(() => null)) as (T & { message?: string }) | null;
  if (!response.ok) throw new ApiError(body?.message ?? `the inspector answered ${response.status}`, response.status);
  return body as T;
}

export interface ListFilters {
  event: string;
  verdict: string;
  text: string;
}

/** Newest first; only ids below `before` and above `after` when given. */
export function listRequests(filters: ListFilters, before?: number, limit = 50, after?: number): Promise<ListAnswer> {
  const query = new URLSearchParams({ limit: String(limit) });
  if (filters.event) query.set("event", filters.event);
  if (filters.verdict) query.set("verdict", filters.verdict);
  if (filters.text) query.set("q", filters.text);
  if (before !== undefined) query.set("before", String(before));
  if (after !== undefined) query.set("after", String(after));
  return call(`/_/api/requests?${query}`);
}

export const info = (): Promise<InfoAnswer> => call("/_/api/info");
export const requestDetail = (id: number): Promise<RequestDetail> => call(`/_/api/requests/${id}`);

export function replay(
  id: number,
  target: { kind: "forward" | "url"; url?: string },
  mode: "resigned" | "recorded",
  include: { unverified?: boolean; rejected?: boolean } = {},
): Promise<ReplayAnswer> {
  return call(`/_/api/requests/${id}/replay`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ target: target.kind, url: target.url, mode, include_unverified: include.unverified === true, include_rejected: include.rejected === true }),
  });
}

/** EventSource cannot send headers: the stream takes the token in its query string. */
export function streamUrl(after: number): string {
  return `/_/api/stream?${new URLSearchParams({ token, after: String(after) })}`;
}

export function rawBodyUrl(id: number): string {
  return `/_/api/requests/${id}/body?${new URLSearchParams({ token })}`;
}
