import { formatAddress, parseAddress, sameFilters } from "./address.js";
import { ApiError, info, renewToken, streamUrl, type ListFilters } from "./api.js";
import { DetailView } from "./detail.js";
import { byId, h } from "./dom.js";
import { count } from "./format.js";
import { RequestList } from "./list.js";
import type { InfoAnswer, StreamEvents } from "./types.js";

let forwardTo: string | null = null;
/** The request opened in the detail pane, as the address says. */
let opened: number | null = null;
const live = byId<HTMLElement>("live");
const detail = new DetailView(byId("detail"), () => forwardTo);
const list = new RequestList(
  // Opening a request is a step Back undoes; moving to the next one by arrow key is not.
  (id, how) => openRequest(id, how === "move" ? "replace" : "push"),
  () => `No requests yet. Send one: pinwheel-cli simulate paystubs.added --to ${location.origin}/`,
);
const eventSelect = byId<HTMLSelectElement>("filter-event");
const verdictSelect = byId<HTMLSelectElement>("filter-verdict");
const textInput = byId<HTMLInputElement>("filter-text");

function setLive(state: "connecting" | "live" | "offline", text: string): void {
  live.dataset.state = state;
  live.textContent = text;
}

function showOpened(): void {
  list.select(opened);
  if (opened === null) detail.clear();
  else void detail.show(opened);
}

function readFilters(): ListFilters {
  return { event: eventSelect.value, verdict: verdictSelect.value, text: textInput.value.trim() };
}

function optionValues(select: HTMLSelectElement): Set<string> {
  return new Set(Array.from(select.options, (option) => option.value).filter(Boolean));
}

/**
 * Puts the filters and the request opened in the address (after the #; never the token): `push`
 * adds a step to Back (opening a request), `replace` rewrites the current one (filtering, typing).
 */
function writeAddress(how: "push" | "replace"): void {
  const hash = formatAddress({ filters: readFilters(), request: opened });
  if (hash === location.hash) return;
  const url = `${location.pathname}${location.search}${hash}`;
  if (how === "push") history.pushState(null, "", url);
  else history.replaceState(null, "", url);
}

function openRequest(id: number, how: "push" | "replace"): void {
  if (id === opened) return;
  opened = id;
  writeAddress(how);
  showOpened();
}

let typing: number | undefined;

/**
 * Shows what the address asks for: at start, and on Back, Forward or an address edited by hand.
 * What the page does not offer is ignored and left out of the address.
 */
function applyAddress(): { filtersChanged: boolean } {
  window.clearTimeout(typing);
  const address = parseAddress(location.hash, { events: optionValues(eventSelect), verdicts: optionValues(verdictSelect) });
  eventSelect.value = address.filters.event;
  verdictSelect.value = address.filters.verdict;
  // A search being typed keeps its spaces while the address says the same.
  if (textInput.value.trim() !== address.filters.text) textInput.value = address.filters.text;
  const filtersChanged = !sameFilters(address.filters, list.shownFilters);
  if (address.request !== opened) {
    opened = address.request;
    showOpened();
  }
  writeAddress("replace");
  return { filtersChanged };
}

let stream: EventSource | undefined;
let recovering = false;

/**
 * The browser gives up on a stream answered other than 200: listen was restarted (a new run, a new
 * token: 403) or had too many pages open (503). Retry until it answers: with the new run's token,
 * reloading the list the page shows, or as before.
 */
async function recover(): Promise<void> {
  if (recovering) return;
  recovering = true;
  try {
    for (;;) {
      await new Promise((resolve) => window.setTimeout(resolve, 1500));
      try {
        await info();
        return connect();
      } catch (error) {
        const status = error instanceof ApiError ? error.status : null;
        // Not answering yet (null), or too many pages: ask again.
        if (status === null || status === 503) continue;
        if (status !== 403 || !(await renewToken())) {
          // Something else answers here now (listen --no-ui, whose every path stores a request): stop asking.
          setLive("offline", "offline");
          byId("list-status").textContent = "The listener here no longer serves this page (listen --no-ui, or another program); reload it once listen serves it again.";
          return;
        }
        setLive("connecting", "listen restarted; reloading…");
        showInfo(await info());
        showOpened();
        await list.reload();
        return connect();
      }
    }
  } finally {
    recovering = false;
  }
}

/** Live updates: the stream starts after the newest request shown and resumes by Last-Event-ID. */
function connect(): void {
  stream?.close();
  setLive("connecting", "connecting…");
  const current = new EventSource(streamUrl(list.newestId()));
  stream = current;
  current.addEventListener("open", () => setLive("live", "live"));
  current.addEventListener("error", () => {
    setLive("offline", "reconnecting…");
    if (current === stream && current.readyState === EventSource.CLOSED) void recover();
  });
  stream.addEventListener("request", (event) => list.add(JSON.parse((event as MessageEvent<string>).data) as StreamEvents["request"]));
  stream.addEventListener("forward", (event) => {
    const { request_id, forward } = JSON.parse((event as MessageEvent<string>).data) as StreamEvents["forward"];
    list.updateForward(request_id, forward);
    detail.refresh(request_id);
  });
  stream.addEventListener("attempts", (event) => {
    const { request_id } = JSON.parse((event as MessageEvent<string>).data) as StreamEvents["attempts"];
    detail.refresh(request_id);
  });
  // Stored requests were deleted (events prune): the list and the request on show are read again.
  stream.addEventListener("reset", () => {
    if (detail.id !== null) void detail.show(detail.id, true);
    void list.reload().then(connect);
  });
}

/** What this run of listen does: read at start, and again from a restarted run (its --forward-to may differ). */
function showInfo(about: InfoAnswer): void {
  forwardTo = about.forward_to;
  byId("forward-target").textContent = forwardTo ? `forwarding to ${forwardTo}` : "not forwarding";
  byId("total").textContent = `${count(about.total)} stored`;
}

async function start(): Promise<void> {
  const about = await info();
  showInfo(about);
  for (const name of about.events) eventSelect.append(h("option", { value: name }, name));

  const filtersChanged = () => {
    window.clearTimeout(typing);
    typing = window.setTimeout(() => {
      writeAddress("replace");
      void list.reload(readFilters());
    }, 200);
  };
  textInput.addEventListener("input", filtersChanged);
  eventSelect.addEventListener("change", filtersChanged);
  verdictSelect.addEventListener("change", filtersChanged);
  byId("filters").addEventListener("submit", (event) => event.preventDefault());

  // Back and Forward fire popstate (and hashchange when the fragment differs): showing the same state twice does nothing.
  const followAddress = () => {
    if (applyAddress().filtersChanged) void list.reload(readFilters());
  };
  window.addEventListener("popstate", followAddress);
  window.addEventListener("hashchange", followAddress);
  applyAddress();
  if (opened === null) detail.clear();
  await list.reload(readFilters());
  connect();
}

start().catch((error: unknown) => {
  setLive("offline", "offline");
  byId("list-status").textContent = (error as Error).message;
});
