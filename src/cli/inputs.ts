import { readFileSync } from "node:fs";
import { resolveSecret, SECRET_SOURCE_LABELS, type ResolvedSecret } from "../config.js";
import { EVENT_NAMES, isEventName, type EventName } from "../events/catalog.js";
import { CliError, usageError } from "../errors.js";
import type { Output } from "../output/index.js";
import type { RequestStore } from "../store/requests.js";
import { VERDICT_FILTERS } from "../verification-reasons.js";
import { didYouMean } from "../suggest.js";

/** The secret, with the one-line notice that says where it came from when it is the built-in one. */
export function secretFor(out: Output, flag: string | undefined): ResolvedSecret {
  const resolved = resolveSecret(flag);
  if (resolved.source === "default") {
    out.notice(
      `Using ${SECRET_SOURCE_LABELS.default}; pass --secret or set PINWHEEL_API_SECRET to use your workspace's API secret.`,
    );
  }
  // --secret refuses these; a variable or the file is used as a handler given the same would use it
  // (verify then names the difference), but a handler given the secret without it will not agree.
  // eslint-disable-next-line no-control-regex -- control characters are what this looks for
  if (resolved.source !== "flag" && /[\x00-\x1f\x7f]/.test(resolved.secret)) {
    out.warn(
      `${SECRET_SOURCE_LABELS[resolved.source]} ends with a line break or holds another control character: what it signs or verifies will not match a handler given the secret without it (read from a file with its newline?)`,
    );
  }
  return resolved;
}

export function eventNameOrUsageError(name: string): EventName {
  if (isEventName(name)) return name;
  const hint = didYouMean(name, EVENT_NAMES);
  throw usageError(`unknown event "${name}"; ${hint || 'run "pinwheel-cli fixtures list" to see every event'}`);
}

/**
 * An --event filter over stored requests: any catalog name, or a name some stored request
 * carries (an unknown or forged event is stored under its own name). Anything else is a typo.
 */
export function eventFilterOrUsageError(name: string | undefined, store: Pick<RequestStore, "count">): string | undefined {
  if (name === undefined || isEventName(name) || store.count({ event: name }) > 0) return name;
  return eventNameOrUsageError(name);
}

/**
 * An --account-id filter. Tables and listen's log show an account id's first 8 characters; one
 * given like that matches no row, and a filter matching nothing would pass as an empty result.
 */
export function accountIdFilterOrUsageError(accountId: string | undefined, store: Pick<RequestStore, "count" | "accountIdsStartingWith">): string | undefined {
  if (accountId === undefined || store.count({ accountId }) > 0) return accountId;
  const whole = store.accountIdsStartingWith(accountId, 3);
  if (whole.length === 0) return accountId;
  // The 8 characters a table shows, as git takes a short hash: the one stored id they begin.
  if (whole.length === 1) return whole[0];
  throw usageError(`--account-id ${accountId} is the start of several stored ids: ${whole.join(", ")}; pass more of the one you mean`);
}

export function verdictOrUsageError(verdict: string | undefined): string | undefined {
  if (verdict === undefined || VERDICT_FILTERS.includes(verdict)) return verdict;
  const hint = didYouMean(verdict, VERDICT_FILTERS) || `use one of ${VERDICT_FILTERS.join(", ")}`;
  throw usageError(`unknown verdict "${verdict}"; ${hint}`);
}

/**
 * Everything on stdin, to its end. Read from process.stdin, never with readFileSync(0): once
 * process.stdin has been touched a pipe is non-blocking, and a synchronous read of one whose
 * producer has not written yet (or is slower than this reader) fails with EAGAIN.
 */
export async function readStdin(maxBytes = MAX_STDIN_BYTES): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of process.stdin) {
    const bytes = typeof chunk === "string" ? Buffer.from(chunk) : (chunk as Buffer);
    size += bytes.length;
    // A producer that never ends (`yes |`) must not take the machine's memory.
    if (size > maxBytes) {
      process.stdin.destroy();
      throw new Error(`more than ${maxBytes >= 1024 * 1024 ? `${maxBytes / 1024 / 1024} MiB` : `${maxBytes / 1024} KiB`} came on stdin`);
    }
    chunks.push(bytes);
  }
  return Buffer.concat(chunks);
}

/** Far past any webhook body (listen keeps 1 MiB by default), and bounded. */
export const MAX_STDIN_BYTES = 64 * 1024 * 1024;

/** A body file the user named ('-' reads stdin), byte for byte; one that cannot be read is failed work (exit 1). */
export async function readBodyFile(flag: string, source: string): Promise<Buffer> {
  try {
    return source === "-" ? await readStdin() : readFileSync(source);
  } catch (error) {
    throw new CliError(`${flag} ${source}: cannot read it (${(error as Error).message})`);
  }
}
