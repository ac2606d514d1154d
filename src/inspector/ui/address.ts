/**
 * The page's state in its address, after the `#`: `#/requests/42?event=income.added&verdict=failed&q=acct`.
 * The fragment never leaves the browser (not in a request, a log or a Referer), and the token is
 * never part of it: it holds the filters and the request opened, nothing else. No DOM here, so
 * the parsing is tested in Node.
 */

/** The list's filters (api.ts's ListFilters, which this module leaves out: api.ts reads the page's DOM). */
export interface AddressFilters {
  event: string;
  verdict: string;
  text: string;
}

export interface PageAddress {
  filters: AddressFilters;
  /** The request opened, or null. */
  request: number | null;
}

/** What the page accepts: the options its selects offer, and the API's bound on the search text. */
export interface AddressChoices {
  events: ReadonlySet<string>;
  verdicts: ReadonlySet<string>;
}

/** The API refuses a longer `q` (400): a longer one in an address is ignored. */
export const MAX_SEARCH_LENGTH = 200;

const REQUEST_PATH = /^\/requests\/(\d{1,15})$/;

/**
 * The state an address asks for. Anything unknown or invalid (an event or a verdict the page does
 * not offer, a request id that is not digits, a search longer than the API takes, other keys) is
 * dropped, never an error.
 */
export function parseAddress(hash: string, choices: AddressChoices): PageAddress {
  const fragment = hash.startsWith("#") ? hash.slice(1) : hash;
  const mark = fragment.indexOf("?");
  const path = mark === -1 ? fragment : fragment.slice(0, mark);
  const query = new URLSearchParams(mark === -1 ? "" : fragment.slice(mark + 1));
  const event = query.get("event") ?? "";
  const verdict = query.get("verdict") ?? "";
  const text = (query.get("q") ?? "").trim();
  const id = REQUEST_PATH.exec(path)?.[1];
  return {
    filters: {
      event: choices.events.has(event) ? event : "",
      verdict: choices.verdicts.has(verdict) ? verdict : "",
      text: text.length <= MAX_SEARCH_LENGTH ? text : "",
    },
    request: id === undefined ? null : Number(id),
  };
}

/** The fragment for a state, `#` included; "" for the plain page (no filter, nothing opened). */
export function formatAddress(address: PageAddress): string {
  const query = new URLSearchParams();
  if (address.filters.event) query.set("event", address.filters.event);
  if (address.filters.verdict) query.set("verdict", address.filters.verdict);
  if (address.filters.text) query.set("q", address.filters.text);
  const path = address.request === null ? "/" : `/requests/${address.request}`;
  const search = query.toString();
  if (path === "/" && !search) return "";
  return `#${path}${search ? `?${search}` : ""}`;
}

export function sameFilters(a: AddressFilters, b: AddressFilters): boolean {
  return a.event === b.event && a.verdict === b.verdict && a.text === b.text;
}
