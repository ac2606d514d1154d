import { listRequests, type ListFilters } from "./api.js";
import { byId, h } from "./dom.js";
import { clockTime, count, forwardText, shortId, verdictTone, verdictWords } from "./format.js";
import type { ForwardView, ListAnswer, RequestSummary } from "./types.js";

/**
 * Rows the page holds at most. "Load older" stops there and says so (the rows above are what the
 * reader came for); a live row past it pushes the oldest out of the bottom, counted in the status.
 * Every row stays stored: filters, a search or the address reach it.
 */
export const MAX_ROWS = 1000;
const PAGE = 50;

function asciiLower(text: string): string {
  return text.replace(/[A-Z]/g, (letter) => letter.toLowerCase());
}

/**
 * Whether a request that just arrived belongs in the list under the current filters: "body" when
 * only the text is left to decide and it is not in the fields a summary carries. The server
 * searches the body too (the page does not have it), so it decides those.
 */
export function matchesFilters(request: RequestSummary, filters: ListFilters): "yes" | "no" | "body" {
  if (filters.event && request.event !== filters.event) return "no";
  if (filters.verdict === "failed") {
    if (request.verification === "verified" || request.verification === "skipped") return "no";
  } else if (filters.verdict && request.verification !== filters.verdict) {
    return "no";
  }
  if (filters.text) {
    const fields = [request.event, request.event_id, request.account_id, request.path, request.verification, request.verification_detail, request.rejection];
    const needle = asciiLower(filters.text);
    if (!fields.some((field) => field !== null && asciiLower(field).includes(needle))) return "body";
  }
  return "yes";
}

function forwardCell(forward: ForwardView | null): HTMLTableCellElement {
  const { text, tone, title } = forwardText(forward);
  return h("td", { class: `forward tone-${tone}`, title: title || null }, text);
}

function rowFor(request: RequestSummary): HTMLTableRowElement {
  const tone = verdictTone(request);
  const name = request.event ?? `${request.method} ${request.path}`;
  return h(
    "tr",
    // One row is a tab stop at a time (see tabStop): arrow keys move between them, Tab leaves the list.
    { "data-id": request.id, tabindex: -1, class: `row tone-${tone}` },
    h("td", { class: "time", title: request.received_at }, clockTime(request.received_at)),
    h(
      "td",
      { class: "event" },
      h(
        "div",
        { class: "cell" },
        h("span", { class: request.event ? "name" : "name muted", title: name }, name),
        request.duplicate && h("span", { class: "badge dup", title: "duplicate: this event_id was accepted before" }, "dup"),
        request.schema_error_count > 0 && h("span", { class: "badge schema", title: "the payload does not match the event's schema" }, "schema"),
      ),
    ),
    h("td", { class: "account mono", title: request.account_id }, shortId(request.account_id, 12)),
    h("td", { class: "verdict" }, h("span", { class: `pill tone-${tone}`, title: request.verification_detail ?? request.rejection }, verdictWords(request.verification))),
    forwardCell(request.forward),
    h("td", { class: "id muted" }, `#${request.id}`),
  );
}

/** The left pane: newest requests first, paged from the store, new ones added live. */
export class RequestList {
  private readonly body = byId<HTMLTableSectionElement>("rows");
  private readonly status = byId<HTMLElement>("list-status");
  private readonly older = byId<HTMLButtonElement>("load-older");
  private readonly rows = new Map<number, { request: RequestSummary; element: HTMLTableRowElement }>();
  private filters: ListFilters = { event: "", verdict: "", text: "" };
  private nextBefore: number | null = null;
  private searchedDownTo: number | null = null;
  private generation = 0;
  /** The generation whose "Load older" is on its way: a reload does not wait for an older list's. */
  private loadingGeneration: number | null = null;
  /** Rows pushed out of the bottom by live rows since the list was loaded (they stay stored). */
  private shed = 0;
  private selected: number | null = null;
  /** The newest id the list has heard of, shown or filtered out: the live stream goes on after it. */
  private newestKnown = 0;
  /** Live rows the server has yet to search for the text (in their body), as the range of their ids. */
  private bodyCheck: { low: number; high: number } | null = null;
  private checkingBodies = false;
  total: number | null = null;

  /**
   * `onSelect` opens a request: `move` when the keyboard moves from the request opened to another
   * (the page replaces its address then, rather than adding a step to Back for every arrow key).
   */
  constructor(private readonly onSelect: (id: number, how: "open" | "move") => void, private readonly emptyHint: () => string) {
    this.older.addEventListener("click", () => void this.loadOlder());
    this.body.addEventListener("click", (event) => {
      const row = (event.target as Element).closest("tr[data-id]");
      if (row) this.onSelect(Number(row.getAttribute("data-id")), "open");
    });
    this.body.addEventListener("keydown", (event) => this.onKey(event));
  }

  /**
   * The newest id the list has accounted for, so the live stream starts right after it. Not the
   * newest row shown: under a filter that is an old row, and a stream opened after it would have
   * every newer row to catch up on (a reset when that is too many, and a reload, and again).
   */
  newestId(): number {
    let newest = this.newestKnown;
    for (const id of this.rows.keys()) newest = Math.max(newest, id);
    return newest;
  }

  /** The filters the list was last loaded with. */
  get shownFilters(): ListFilters {
    return this.filters;
  }

  async reload(filters: ListFilters = this.filters): Promise<void> {
    this.filters = filters;
    const generation = ++this.generation;
    this.status.textContent = "Loading…";
    try {
      const answer = await listRequests(filters, undefined, PAGE);
      if (generation !== this.generation) return;
      this.rows.clear();
      this.body.replaceChildren();
      this.shed = 0;
      // This page holds every row the check would have found.
      this.bodyCheck = null;
      if (answer.total !== null) this.total = answer.total;
      if (answer.newest_id !== null) this.newestKnown = answer.newest_id;
      this.take(answer);
    } catch (error) {
      if (generation === this.generation) this.status.textContent = (error as Error).message;
      return;
    }
    await this.continueSearch(generation);
  }

  /** One more page below, as far as the page has room; false when it did not ask (nothing more, no room, already asking). */
  async loadOlder(): Promise<boolean> {
    const room = MAX_ROWS - this.rows.size;
    const generation = this.generation;
    if (this.nextBefore === null || room <= 0 || this.loadingGeneration === generation) return false;
    this.loadingGeneration = generation;
    try {
      const answer = await listRequests(this.filters, this.nextBefore, Math.min(PAGE, room));
      if (generation === this.generation) this.take(answer);
    } catch (error) {
      if (generation === this.generation) this.status.textContent = (error as Error).message;
    } finally {
      if (this.loadingGeneration === generation) this.loadingGeneration = null;
    }
    await this.continueSearch(generation);
    return true;
  }

  /** A live request: shown on top when it passes the filters. */
  add(request: RequestSummary): void {
    // A row can come twice: a reconnect's catch-up, or this listen's own row also read by the poll for other writers' rows.
    if (this.rows.has(request.id)) return;
    this.newestKnown = Math.max(this.newestKnown, request.id);
    if (this.total !== null) this.total++;
    const match = matchesFilters(request, this.filters);
    if (match === "body") this.checkBodyOf(request.id);
    if (match !== "yes") return this.showStatus();
    this.insert(request);
  }

  /** A row newer than the page was loaded with, in its place by id (usually on top). */
  private insert(request: RequestSummary): void {
    if (this.rows.has(request.id)) return;
    const element = rowFor(request);
    element.classList.add("fresh");
    if (request.id === this.selected) element.classList.add("selected");
    // Rows are newest first; a live row usually goes on top, a reconnect's catch-up in its place.
    let anchor: Element | null = null;
    for (const child of Array.from(this.body.children)) {
      if (Number(child.getAttribute("data-id")) < request.id) {
        anchor = child;
        break;
      }
    }
    this.body.insertBefore(element, anchor);
    this.rows.set(request.id, { request, element });
    this.trim();
    this.showStatus();
  }

  /**
   * Asks the server which of the live rows a text filter left undecided hold the text in their
   * body. One ask at a time covers every such row since the last: a busy stream under a search
   * costs a few asks a second, each bounded to the ids between the first row to check and the last.
   */
  private checkBodyOf(id: number): void {
    this.bodyCheck = this.bodyCheck ? { low: Math.min(this.bodyCheck.low, id), high: Math.max(this.bodyCheck.high, id) } : { low: id, high: id };
    if (!this.checkingBodies) void this.checkBodies();
  }

  private async checkBodies(): Promise<void> {
    this.checkingBodies = true;
    try {
      while (this.bodyCheck) {
        const { low, high } = this.bodyCheck;
        this.bodyCheck = null;
        const generation = this.generation;
        let before: number | null = high + 1;
        while (before !== null && generation === this.generation) {
          const answer = await listRequests(this.filters, before, PAGE, low - 1);
          if (generation !== this.generation) break;
          for (const request of answer.requests) this.insert(request);
          before = answer.next_before;
        }
      }
    } catch (error) {
      this.status.textContent = `${(error as Error).message}; reload to see every match`;
    } finally {
      this.checkingBodies = false;
    }
  }

  updateForward(id: number, forward: ForwardView): void {
    const row = this.rows.get(id);
    if (!row) return;
    row.request = { ...row.request, forward };
    const cell = row.element.querySelector("td.forward");
    cell?.replaceWith(forwardCell(forward));
  }

  select(id: number | null): void {
    if (this.selected !== null) this.rows.get(this.selected)?.element.classList.remove("selected");
    this.selected = id;
    if (id !== null) this.rows.get(id)?.element.classList.add("selected");
    this.tabStop();
  }

  /** The selected row, or else the first, is the list's one tab stop. */
  private tabStop(): void {
    const stop = (this.selected !== null ? this.rows.get(this.selected)?.element : undefined) ?? this.body.firstElementChild;
    for (const row of this.body.querySelectorAll('tr[tabindex="0"]')) if (row !== stop) row.setAttribute("tabindex", "-1");
    stop?.setAttribute("tabindex", "0");
  }

  private take(answer: ListAnswer): void {
    let cut = false;
    for (const request of answer.requests) {
      if (this.rows.has(request.id)) continue;
      if (this.rows.size >= MAX_ROWS) {
        cut = true;
        break;
      }
      const element = rowFor(request);
      if (request.id === this.selected) element.classList.add("selected");
      this.body.appendChild(element);
      this.rows.set(request.id, { request, element });
    }
    if (cut) {
      // Live rows took the room while this page was on its way: the rest stays stored, below the last row.
      this.nextBefore = Number(this.body.lastElementChild?.getAttribute("data-id"));
      this.searchedDownTo = null;
    } else {
      this.nextBefore = answer.next_before;
      this.searchedDownTo = answer.searched_down_to;
    }
    this.showStatus();
  }

  /** A text search answers in slices; keep asking while the page is not full. */
  private async continueSearch(generation: number): Promise<void> {
    while (generation === this.generation && this.searchedDownTo !== null && this.rows.size < PAGE && this.nextBefore !== null) {
      if (!(await this.loadOlder())) break;
    }
  }

  private trim(): void {
    while (this.rows.size > MAX_ROWS) {
      const last = this.body.lastElementChild;
      if (!last) break;
      const id = Number(last.getAttribute("data-id"));
      last.remove();
      this.rows.delete(id);
      this.shed++;
      this.nextBefore = Number(this.body.lastElementChild?.getAttribute("data-id") ?? id);
    }
  }

  private showStatus(): void {
    this.tabStop();
    const shown = this.rows.size;
    const filtered = Boolean(this.filters.event || this.filters.verdict || this.filters.text);
    const full = shown >= MAX_ROWS && this.nextBefore !== null;
    let text: string;
    if (full) {
      const shed = this.shed === 1 ? " (1 older row left the page as a new one came)" : this.shed > 1 ? ` (${count(this.shed)} older rows left the page as new ones came)` : "";
      text = `${count(shown)} shown, the most this page holds${shed}; older requests are stored: filter or search to reach them`;
    } else if (shown === 0 && this.nextBefore === null) {
      text = filtered ? "No stored request matches these filters." : this.emptyHint();
    } else if (this.searchedDownTo !== null) {
      text = `${count(shown)} found; searching older requests (below #${this.searchedDownTo})…`;
    } else {
      text = `${count(shown)} shown${this.nextBefore !== null ? ", more below" : ""}`;
    }
    this.status.textContent = text;
    this.older.hidden = this.nextBefore === null;
    this.older.disabled = full;
    this.older.title = full ? `The page holds ${count(MAX_ROWS)} rows at most` : "";
    const total = byId<HTMLElement>("total");
    total.textContent = this.total === null ? "" : `${count(this.total)} stored`;
  }

  private onKey(event: KeyboardEvent): void {
    const row = (event.target as Element).closest("tr[data-id]");
    if (!row) return;
    let next: Element | null = null;
    if (event.key === "ArrowDown") next = row.nextElementSibling;
    else if (event.key === "ArrowUp") next = row.previousElementSibling;
    else if (event.key === "Home") next = this.body.firstElementChild;
    else if (event.key === "End") next = this.body.lastElementChild;
    else if (event.key === "Enter") next = row;
    if (!next) return;
    event.preventDefault();
    (next as HTMLElement).focus();
    this.onSelect(Number(next.getAttribute("data-id")), event.key === "Enter" || this.selected === null ? "open" : "move");
  }
}
