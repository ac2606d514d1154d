import { rawBodyUrl, replay, requestDetail } from "./api.js";
import { h, replaceChildren } from "./dom.js";
import { count, dateTime, duration, verdictSentence, verdictTone } from "./format.js";
import type { AttemptView, ReplayAnswer, ReplayAttemptView, RequestDetail } from "./types.js";

const TYPED_URL_KEY = "pinwheel-inspector-replay-url";
const TARGET_KEY = "pinwheel-inspector-replay-target";
const MODE_KEY = "pinwheel-inspector-replay-mode";

function section(title: string, ...children: (Node | string | null | false)[]): HTMLElement {
  return h("section", { class: "block" }, h("h3", {}, title), ...children);
}

function facts(rows: [string, string | null | Node][]): HTMLDListElement {
  const list = h("dl", { class: "facts" });
  for (const [name, value] of rows) {
    if (value === null || value === "") continue;
    list.append(h("dt", {}, name), h("dd", { class: "mono" }, value));
  }
  return list;
}

function attemptResult(attempt: ReplayAttemptView): HTMLElement {
  if (attempt.status_code !== null) return h("span", { class: `pill tone-${attempt.ok ? "ok" : "bad"}` }, String(attempt.status_code));
  return h("span", { class: "pill tone-bad", title: attempt.error }, attempt.error ?? "error");
}

function attemptsTable(attempts: AttemptView[], requestId: number): HTMLElement {
  if (attempts.length === 0) return h("p", { class: "muted" }, "No delivery attempts recorded for this request yet.");
  const rows = attempts.map((attempt) =>
    h(
      "tr",
      {},
      h(
        "td",
        {},
        attempt.source,
        // Another request with the same event_id (a duplicate delivery) made this one.
        attempt.request_id != null && attempt.request_id !== requestId && h("span", { class: "muted" }, ` of #${attempt.request_id}`),
      ),
      h("td", { class: "muted" }, `#${attempt.attempt}`),
      h("td", {}, attemptResult(attempt)),
      h("td", { class: "num" }, duration(attempt.duration_ms)),
      h("td", { class: "muted", title: attempt.started_at }, dateTime(attempt.started_at)),
      h(
        "td",
        { class: "url mono" },
        attempt.url,
        attempt.response_body && h("details", {}, h("summary", {}, "answer"), h("pre", { class: "excerpt" }, attempt.response_body)),
        attempt.error && attempt.status_code === null && h("div", { class: "error-text" }, attempt.error),
      ),
    ),
  );
  return h(
    "table",
    { class: "attempts" },
    h("thead", {}, h("tr", {}, h("th", {}, "source"), h("th", {}, "try"), h("th", {}, "result"), h("th", {}, "time"), h("th", {}, "when"), h("th", {}, "to"))),
    h("tbody", {}, ...rows),
  );
}

function headersTable(headers: [string, string][]): HTMLElement {
  return h("table", { class: "headers mono" }, h("tbody", {}, ...headers.map(([name, value]) => h("tr", {}, h("th", {}, name), h("td", {}, value)))));
}

/** The request whose body is shown raw: a live update's redraw keeps the choice. */
let rawShownFor: number | null = null;

function bodyBlock(detail: RequestDetail): HTMLElement {
  const { body } = detail;
  const pre = h("pre", { class: "body mono", id: "body-view" });
  const pretty = h("button", { type: "button", id: "body-pretty", class: "toggle", "aria-pressed": "true", disabled: body.pretty === null }, "Pretty");
  const raw = h("button", { type: "button", id: "body-raw", class: "toggle", "aria-pressed": "false" }, "Raw");
  const showRaw = (wantRaw: boolean) => {
    const useRaw = wantRaw || body.pretty === null;
    pre.textContent = wantRaw ? body.raw : (body.pretty ?? body.raw);
    pretty.setAttribute("aria-pressed", String(!useRaw));
    raw.setAttribute("aria-pressed", String(useRaw));
    rawShownFor = wantRaw ? detail.id : null;
  };
  pretty.addEventListener("click", () => showRaw(false));
  raw.addEventListener("click", () => showRaw(true));
  showRaw(rawShownFor === detail.id);
  const notes = [
    `${count(body.size)} bytes`,
    body.truncated ? "only the first MiB is stored" : "",
    body.pretty === null ? "not JSON" : "",
    body.utf8 ? "" : "not valid UTF-8 (shown as \uFFFD)",
  ].filter(Boolean);
  return section(
    "Body",
    h(
      "div",
      { class: "toolbar" },
      pretty,
      raw,
      h("a", { href: rawBodyUrl(detail.id), download: `request-${detail.id}.body`, id: "body-download", class: "download" }, "Download raw bytes"),
      h("span", { class: "muted" }, notes.join(" · ")),
    ),
    pre,
  );
}

/** The right pane: one request in full, its forward, its attempts, and replay. */
export class DetailView {
  private current: number | null = null;
  private generation = 0;
  /** The last replay's outcome per request, kept across re-renders (live updates redraw the pane). */
  private readonly replayOutcomes = new Map<number, { text: string; tone: string }>();

  constructor(
    private readonly container: HTMLElement,
    private readonly forwardTo: () => string | null,
  ) {}

  get id(): number | null {
    return this.current;
  }

  clear(): void {
    // A read still on its way (a request opened, then Back) must not fill the pane after this.
    ++this.generation;
    this.current = null;
    replaceChildren(this.container, h("p", { class: "empty" }, "Select a request to see its headers, body, verdict and deliveries."));
  }

  async show(id: number, keepScroll = false): Promise<void> {
    const generation = ++this.generation;
    const scroll = this.container.scrollTop;
    this.current = id;
    try {
      const detail = await requestDetail(id);
      if (generation !== this.generation) return;
      // A live update redraws the pane under a keyboard user: focus goes back where it was.
      const focused = keepScroll ? this.focusedPlace() : null;
      replaceChildren(this.container, ...this.render(detail));
      if (keepScroll) this.container.scrollTop = scroll;
      if (focused) {
        const again = typeof focused === "string" ? document.getElementById(focused) : this.focusables()[focused.index];
        again?.focus({ preventScroll: true });
      }
    } catch (error) {
      if (generation === this.generation) replaceChildren(this.container, h("p", { class: "error-text" }, (error as Error).message));
    }
  }

  private focusables(): HTMLElement[] {
    return Array.from(this.container.querySelectorAll<HTMLElement>("button, input, select, a[href], summary"));
  }

  /** The focused control in the pane: by its id, or else by its place among the controls. */
  private focusedPlace(): string | { index: number } | null {
    const active = document.activeElement;
    if (!(active instanceof HTMLElement) || !this.container.contains(active)) return null;
    return active.id || { index: this.focusables().indexOf(active) };
  }

  /** New forwards or attempts for the request on show: read it again, where the reader was. */
  refresh(id: number): void {
    if (this.current === id) void this.show(id, true);
  }

  private render(detail: RequestDetail): Node[] {
    const tone = verdictTone(detail);
    const title = h(
      "div",
      { class: "detail-title" },
      h("h2", {}, detail.event ?? `${detail.method} ${detail.path}`),
      h("span", { class: "muted" }, `#${detail.id}`),
      detail.duplicate && h("span", { class: "badge dup", title: "a request with this event_id was accepted before" }, "duplicate"),
      h("span", { class: `pill tone-${detail.status_code < 300 ? "ok" : "bad"}`, title: "what the listener answered" }, `answered ${detail.status_code}`),
    );
    const verdict = h("div", { class: `verdict-box tone-${tone}`, id: "verdict" }, verdictSentence(detail));
    const schema =
      detail.schema_errors.length > 0
        ? section(
            `Schema: ${detail.schema_errors.length} issue${detail.schema_errors.length === 1 ? "" : "s"}` +
              (detail.status_code < 300 ? " (accepted all the same: Pinwheel does not retry a 4XX; the library lists these as event.issues)" : ""),
            h("ul", { class: "schema-errors" }, ...detail.schema_errors.map((issue) => h("li", {}, h("code", {}, issue.path || "(root)"), " ", issue.message))),
          )
        : detail.schema_unchecked !== null
          ? h("p", { class: "muted" }, `Schema not checked: ${detail.schema_unchecked}.`)
          : detail.event && h("p", { class: "schema-ok" }, "Payload matches the event's schema.");
    return [
      title,
      verdict,
      facts([
        ["event_id", detail.event_id],
        ["account_id", detail.account_id],
        ["received", `${dateTime(detail.received_at)}  (${detail.received_at})`],
        ["request", `${detail.method} ${detail.path}`],
        ["from", detail.remote_address],
        ["webhook", detail.webhook_id],
      ]),
      schema || null,
      this.forwardBlock(detail),
      this.replayBlock(detail),
      section("Delivery attempts", attemptsTable(detail.attempts, detail.id)),
      bodyBlock(detail),
      section("Headers", headersTable(detail.headers)),
    ].filter((node): node is HTMLElement => node !== null);
  }

  private forwardBlock(detail: RequestDetail): HTMLElement | null {
    const forward = detail.forward;
    if (!forward) return null;
    const own = detail.attempts.filter((attempt) => attempt.source === "forward" && attempt.request_id === detail.id);
    const answer = own[0]?.response_body;
    const line =
      forward.status_code !== null
        ? `${forward.url ?? "the app"} answered ${forward.status_code} in ${duration(forward.duration_ms)}`
        : `not delivered to ${forward.url ?? "the app"}: ${forward.error ?? "no answer"}`;
    return section(
      "Forward",
      h("p", { class: `forward-line tone-${forward.ok ? "ok" : "bad"}`, id: "forward-result" }, line),
      answer ? h("pre", { class: "excerpt mono" }, answer) : null,
    );
  }

  private replayBlock(detail: RequestDetail): HTMLElement {
    const forwardTo = this.forwardTo();
    const name = `replay-target-${detail.id}`;
    const typed = forwardTo === null || sessionStorage.getItem(TARGET_KEY) === "url";
    const toForward = h("input", { type: "radio", name, value: "forward", checked: !typed, disabled: forwardTo === null });
    const toUrl = h("input", { type: "radio", name, value: "url", checked: typed });
    const url = h("input", {
      type: "url",
      id: "replay-url",
      class: "mono",
      placeholder: "http://localhost:8080/webhooks/pinwheel",
      value: sessionStorage.getItem(TYPED_URL_KEY) ?? "",
    });
    url.addEventListener("focus", () => (toUrl.checked = true));
    // Live updates redraw this form: what is typed survives them.
    url.addEventListener("input", () => sessionStorage.setItem(TYPED_URL_KEY, url.value));
    const mode = h(
      "select",
      { id: "replay-mode" },
      h("option", { value: "resigned" }, "re-signed, fresh timestamp"),
      h("option", { value: "recorded" }, "as recorded (original headers)"),
    );
    mode.value = sessionStorage.getItem(MODE_KEY) === "recorded" ? "recorded" : "resigned";
    const button = h("button", { type: "submit", id: "replay-button" }, "Replay");
    const outcome = this.replayOutcomes.get(detail.id);
    const result = h("p", { class: `replay-result tone-${outcome?.tone ?? "none"}`, id: "replay-result", role: "status" }, outcome?.text);
    const form = h(
      "form",
      { class: "replay" },
      h("label", {}, toForward, " forward target ", h("span", { class: "mono muted" }, forwardTo ?? "(listen runs without --forward-to)")),
      h("label", {}, toUrl, " URL ", url),
      h("label", {}, "Send ", mode),
      button,
      result,
    );
    form.addEventListener("submit", (event) => {
      event.preventDefault();
      if (button.getAttribute("aria-disabled") === "true") return;
      const kind = toForward.checked ? "forward" : "url";
      if (kind === "url") sessionStorage.setItem(TYPED_URL_KEY, url.value);
      sessionStorage.setItem(TARGET_KEY, kind);
      sessionStorage.setItem(MODE_KEY, mode.value);
      const resigned = mode.value !== "recorded";
      // Re-signing a body that was not verified (failed, refused first, or --skip-verify) hands the app
      // whatever anyone sent, with a valid signature.
      const unverified = detail.verification !== "verified";
      if (resigned && unverified && !window.confirm(`This request was not verified when it arrived (${detail.verification}). Replaying it re-signed gives it a valid signature. Send it anyway?`)) {
        return;
      }
      // Verified, then rejected by listen (not a Pinwheel event): re-signed, the app would take it for one.
      const rejected = !unverified && detail.rejection !== null;
      if (resigned && rejected && !window.confirm("listen rejected this request after verifying it: it is not a Pinwheel event. Replaying it re-signed sends it to the app as one. Send it anyway?")) {
        return;
      }
      // Not `disabled`: that would drop a keyboard user's focus to the page; the redraw after puts it back here.
      button.setAttribute("aria-disabled", "true");
      result.className = "replay-result tone-none";
      result.textContent = "Sending…";
      replay(detail.id, { kind, url: url.value }, resigned ? "resigned" : "recorded", { unverified: resigned && unverified, rejected: resigned && rejected })
        .then((answer) => {
          const final = answer.attempts[answer.attempts.length - 1];
          const answered = final?.status_code != null ? `answered ${final.status_code}` : `failed: ${final?.error ?? "no answer"}`;
          const said = answer.expected_refusal && final?.status_code != null ? `${answered}, ${answer.ok ? "refused as it should be" : "though it should be refused"} (${refusalReason(answer.expected_refusal)})` : answered;
          const how =
            answer.mode === "recorded"
              ? "as recorded"
              : answer.unverified
                ? "re-signed although the original was not verified"
                : answer.rejected
                  ? "re-signed although listen rejected the original"
                  : "re-signed";
          this.replayOutcomes.set(detail.id, { text: `Replayed ${how} to ${answer.url}: ${said} in ${duration(final?.duration_ms ?? null)}`, tone: answer.ok ? "ok" : "bad" });
        })
        .catch((error: unknown) => {
          this.replayOutcomes.set(detail.id, { text: `Replay refused: ${(error as Error).message}`, tone: "bad" });
        })
        .finally(() => void this.show(detail.id, true));
    });
    return section("Replay", form);
  }
}

/** Why a request sent as recorded is to be refused, in the page's words. */
function refusalReason(expected: NonNullable<ReplayAnswer["expected_refusal"]>): string {
  if (expected.kind === "unverified") return `its signature never verified: ${expected.verification}`;
  if (expected.kind === "untimely") return `its x-timestamp ${expected.timestamp} is not the time now in Unix seconds`;
  const minutes = Math.floor(expected.age_seconds / 60);
  return `its x-timestamp is ${minutes < 120 ? `${minutes} min` : `${Math.floor(minutes / 60)} h`} old`;
}
