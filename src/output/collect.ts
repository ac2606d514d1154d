import type { TerminalSettings } from "../config.js";
import type { Output } from "./index.js";
import { plainColors } from "./colors.js";

/** An Output that keeps what a command would print, for callers that are not a terminal (the MCP server). */
export interface CollectingOutput extends Output {
  /** Every data() and ndjson() value, in order: the --json records. */
  readonly records: unknown[];
  /** Notices and warnings, uncoloured, in order. */
  readonly notices: string[];
}

const NO_TERMINAL: TerminalSettings = { color: false, stdoutIsTty: false, stderrIsTty: false, stdinIsTty: false, ci: true, debug: false };

/** Always in --json mode: callers want the records, not lines for a person. */
export function collectingOutput(): CollectingOutput {
  const records: unknown[] = [];
  const notices: string[] = [];
  const silent = { update() {}, succeed() {}, fail() {}, stop() {} };
  return {
    json: true,
    settings: NO_TERMINAL,
    c: plainColors,
    records,
    notices,
    data: (value) => void records.push(value),
    ndjson: (value) => void records.push(value),
    // Text lines only appear outside --json; a command that prints one anyway says something worth keeping.
    line: (text = "") => void (text && notices.push(text)),
    table: () => {},
    notice: (text) => void notices.push(text),
    warn: (text) => void notices.push(`warning: ${text}`),
    spinner: async () => silent,
    progress: () => ({ tick() {}, done() {} }),
    flush: () => {},
  };
}
