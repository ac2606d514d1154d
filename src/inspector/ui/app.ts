import { ApiError, info, renewToken, streamUrl, type ListFilters } from "./api.js";
import { DetailView } from "./detail.js";
import { byId, h } from "./dom.js";
import { count } from "./format.js";
import { RequestList } from "./list.js";
import type { InfoAnswer, StreamEvents } from "./types.js";

let forwardTo: string | null = null;
const live = byId<HTMLElement>("live");
const detail = new DetailView(byId("detail"), () => forwardTo);
const list = new RequestList(
  (id) => {
    location.hash = `#/requests/${id}`;
  },
  () => `No requests yet. Send one: pinwheel-cli simulate paystubs.added --to ${location.origin}/`,
);

function setLive(state: "connecting" | "live" | "offline", text: string): void {
  live.dataset.state = state;
  live.textContent = text;
}

function selectedFromHash(): number | null {
  const match = /^#\/requests\/(\d+)$/.exec(location.hash);
  return match ? Number(match[1]) : null;
}

function showSelected(): void {
  const id = selectedFromHash();
  list.select(id);
  if (id === null) detail.clear();
  else void detail.show(id);
}

function readFilters(): ListFilters {
  return {
    event: byId<HTMLSelectElement>("filter-event").value,
    verdict: byId<HTMLSelectElement>("filter-verdict").value,
    text: byId<HTMLInputElement>("filter-text").value.trim(),
  };
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
        showSelected();
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
  const events = byId<HTMLSelectElement>("filter-event");
  for (const name of about.events) events.append(h("option", { value: name }, name));

  let typing: number | undefined;
  const filtersChanged = () => {
    window.clearTimeout(typing);
    typing = window.setTimeout(() => void list.reload(readFilters()), 200);
  };
  byId("filter-text").addEventListener("input", filtersChanged);
  events.addEventListener("change", filtersChanged);
  byId("filter-verdict").addEventListener("change", filtersChanged);
  byId("filters").addEventListener("submit", (event) => event.preventDefault());

  window.addEventListener("hashchange", showSelected);
  showSelected();
  await list.reload(readFilters());
  connect();
}

start().catch((error: unknown) => {
  setLive("offline", "offline");
  byId("list-status").textContent = (error as Error).message;
});
