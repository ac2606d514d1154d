import type { ChalkInstance } from "chalk";
import { terminalSettings, type TerminalSettings } from "../config.js";
import { renderTable } from "./table.js";
import { colorsFor } from "./colors.js";
import { redactUrlsIn } from "../redact-url.js";
import { terminalSafeJson } from "./printable.js";

/**
 * The one place that writes to the terminal. Data (tables, results, JSON) goes to stdout;
 * notices, warnings, spinners and progress go to stderr, so `--json | jq` always works.
 */

export interface Streams {
  stdout: NodeJS.WritableStream;
  stderr: NodeJS.WritableStream;
}

export interface Spinner {
  update(text: string): void;
  succeed(text: string): void;
  fail(text: string): void;
  stop(): void;
}

export interface Progress {
  /** The summary is a function: it is only worth building when the line is redrawn. */
  tick(summary: () => string): void;
  done(): void;
}

export interface Output {
  readonly json: boolean;
  readonly settings: TerminalSettings;
  readonly c: ChalkInstance;
  /** One JSON document on stdout (an object or array), for --json. */
  data(value: unknown): void;
  /** One JSON value per line on stdout, for streams such as listen --json. */
  ndjson(value: unknown): void;
  /** A line of human-readable data on stdout. */
  line(text?: string): void;
  table(headers: readonly string[], rows: readonly (readonly string[])[]): void;
  notice(text: string): void;
  warn(text: string): void;
  spinner(text: string): Promise<Spinner>;
  progress(total: number, label: string): Progress;
  /** Writes what `batched` output is holding back (a no-op otherwise). */
  flush(): void;
}

const silentSpinner: Spinner = { update() {}, succeed() {}, fail() {}, stop() {} };

export interface OutputOptions {
  json?: boolean;
  /**
   * Lines printed within `batchWindowMs` go out in one write: a stream of a few thousand lines a
   * second (listen under load) then costs about fifty writes, not one each. 64 KiB held are
   * written at once, so memory stays bounded however fast lines come.
   */
  batched?: boolean;
  /** How long a batched line may wait for others (default 20 ms, too short to see; 0: the end of this turn of the event loop). */
  batchWindowMs?: number;
}

const DEFAULT_BATCH_WINDOW_MS = 20;
const MAX_HELD_CHARACTERS = 64 * 1024;

export function createOutput(
  options: OutputOptions = {},
  streams: Streams = { stdout: process.stdout, stderr: process.stderr },
  settings: TerminalSettings = terminalSettings(),
): Output {
  const json = Boolean(options.json);
  // Settings that ask for colour where the CLI did not prepare it (tests) get none: chalk was not loaded.
  const c = colorsFor(settings.color);
  const interactive = settings.stderrIsTty && !settings.ci;
  let held = "";
  // A progress line stays on the terminal without a newline: anything printed must wipe it first, or run into it.
  let progressShown = false;
  const clearProgress = () => {
    if (!progressShown) return;
    progressShown = false;
    streams.stderr.write("\r\u001b[K");
  };
  const flush = () => {
    if (held === "") return;
    const text = held;
    held = "";
    clearProgress();
    streams.stdout.write(text);
  };
  // Whatever is printed, a URL's credentials (--to http://user:secret@host/) are not.
  const windowMs = options.batchWindowMs ?? DEFAULT_BATCH_WINDOW_MS;
  const flushLater = windowMs === 0 ? () => void setImmediate(flush) : () => void setTimeout(flush, windowMs);
  const writeOut = options.batched
    ? (text: string) => {
        if (held === "") flushLater();
        held += redactUrlsIn(text) + "\n";
        if (held.length >= MAX_HELD_CHARACTERS) flush();
      }
    : (text: string) => {
        clearProgress();
        streams.stdout.write(redactUrlsIn(text) + "\n");
      };
  const writeErr = (text: string) => {
    // A notice after data lines must not overtake them on a terminal showing both.
    flush();
    clearProgress();
    streams.stderr.write(redactUrlsIn(text) + "\n");
  };

  return {
    json,
    settings,
    c,
    data(value) {
      writeOut(terminalSafeJson(JSON.stringify(value, null, 2)));
    },
    ndjson(value) {
      writeOut(terminalSafeJson(JSON.stringify(value)));
    },
    line(text = "") {
      writeOut(text);
    },
    table(headers, rows) {
      writeOut(renderTable(headers.map((h) => c.bold(h)), rows));
    },
    notice(text) {
      if (settings.quiet) return;
      writeErr(c.dim(text));
    },
    warn(text) {
      writeErr(c.yellow(`warning: ${text}`));
    },
    async spinner(text) {
      if (!interactive || json) return silentSpinner;
      // ora is loaded only when a spinner is really shown: it is not needed on a pipe or in CI.
      const { default: ora } = await import("ora");
      const spinner = ora({ text, stream: streams.stderr, color: "cyan", isEnabled: settings.color || undefined }).start();
      return {
        update: (next) => void (spinner.text = next),
        succeed: (done) => void spinner.succeed(done),
        fail: (done) => void spinner.fail(done),
        stop: () => void spinner.stop(),
      };
    },
    flush,
    progress(total, label) {
      if (!interactive || json || total < 2) return { tick() {}, done() {} };
      let last = 0;
      return {
        tick(summary) {
          const now = Date.now();
          if (now - last < 80) return;
          last = now;
          streams.stderr.write(`\r${c.cyan(label)} ${summary()}\u001b[K`);
          progressShown = true;
        },
        done() {
          clearProgress();
        },
      };
    },
  };
}
