import { InvalidArgumentError } from "./argument-error.js";
import { usageError } from "../errors.js";
import { isApiVersionDate } from "../events/versions.js";
import { decodedUserinfo, redactTypedUrl } from "../redact-url.js";
import { hasScheme, withLoopbackScheme } from "../loopback.js";
import { PINWHEEL_RETRY_BASE_MS } from "../delivery/retry-policy.js";

/** Commander argument parsers: a bad value becomes commander's own one-line usage error (exit 2). */

export function integer(min: number, max = Number.MAX_SAFE_INTEGER) {
  return (value: string): number => {
    const parsed = Number(value);
    if (!/^-?\d+$/.test(value.trim()) || parsed < min || parsed > max) {
      throw new InvalidArgumentError(max === Number.MAX_SAFE_INTEGER ? `expected a whole number, ${min} or more.` : `expected a whole number from ${min} to ${max}.`);
    }
    return parsed;
  };
}

/** The longest wait a timer takes (2^31 - 1 ms, about 24.8 days): Node fires a longer one at once. */
const MAX_TIMER_MS = 2_147_483_647;

/** --timeout and its kin: any longer and Node's timer would fire at once. */
export const timeoutOption = integer(1, MAX_TIMER_MS);

/** --retry-base compresses Pinwheel's schedule, whose own base is 30 s: it cannot stretch it. */
export const retryBaseOption = integer(1, PINWHEEL_RETRY_BASE_MS);

/** simulate --duplicate [n]: an event name after it is read as n, so the error says how to write it. */
export function duplicateCount(value: string): number {
  try {
    return integer(1, 1000)(value);
  } catch {
    // A word here is the event, taken as --duplicate's optional value (`simulate --duplicate income.added`).
    const misplacedEvent = !/^[\s\d.+-]*$/.test(value);
    throw new InvalidArgumentError(`expected a count from 1 to 1000${misplacedEvent ? `; to send one duplicate, name the event first: simulate ${value} --duplicate` : "."}`);
  }
}

export function positiveNumber(value: string): number {
  const parsed = Number(value);
  if (!Number.isFinite(parsed) || parsed <= 0) throw new InvalidArgumentError("expected a number above 0.");
  return parsed;
}

/**
 * --host: an empty value is an unset variable (--host "$HOST"), and node would bind every interface
 * for it, putting the receiver and what it stores on the network.
 */
export function hostValue(value: string): string {
  if (value.trim() === "") throw usageError("--host is empty (an unset variable?); leave it out to bind 127.0.0.1, or pass 0.0.0.0 to be reachable from the network");
  return value;
}

/**
 * A secret option's parser. An empty secret is nearly always an unset variable (--secret
 * "$SECRET"): signing with the built-in one instead would hide it. A control character cannot be
 * in a real one. The error is our own, not commander's, which would quote the value back.
 */
export function secretValue(flag: string, withoutIt = "PINWHEEL_API_SECRET") {
  return (value: string): string => {
    if (value.trim() === "") throw usageError(`${flag} is empty (an unset variable?); pass the secret, or leave ${flag} out to use ${withoutIt}`);
    // eslint-disable-next-line no-control-regex -- a pasted secret's line break is what this looks for
    if (/[\x00-\x1f\x7f]/.test(value)) throw usageError(`${flag} contains a line break or another control character; was it pasted from a file?`);
    return value;
  };
}

/**
 * A parser for an option whose empty value is nearly always an unset variable (--account-id
 * "$ACCOUNT_ID"). A filter (--event, --account-id, --event-id) that selects nothing by it would
 * select everything: replay would send every stored request; an empty --end-user-id would fall back
 * to a made-up user, and the check for handlers that answer unknown users before verifying with it.
 */
export function filterValue(flag: string) {
  return (value: string): string => {
    if (value.trim() === "") throw usageError(`${flag} is empty (an unset variable?); pass a value, or leave ${flag} out`);
    return value;
  };
}

/**
 * --db: an empty path is an unset variable (--db "$DB"); falling back to the default store would
 * read, record or serve another database than the one meant, without a word.
 */
export function dbPath(value: string): string {
  if (value.trim() === "") throw usageError("--db is empty (an unset variable?); pass a file path, or leave --db out to use PINWHEEL_CLI_DB, the config's db or the data directory");
  return value;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Pinwheel's ids (webhooks, accounts' jobs) are UUIDs. */
export function uuid(value: string): string {
  if (!UUID.test(value.trim())) throw new InvalidArgumentError(`expected a UUID such as 61788409-8314-4e89-9300-ae7b9d3ccff5.`);
  return value.trim();
}

/** simulate --api-version: any Pinwheel-Version date, older ones too (they change payloads). */
export function apiVersionDate(value: string): string {
  if (!isApiVersionDate(value.trim())) throw new InvalidArgumentError(`expected a date such as 2023-04-18 (YYYY-MM-DD).`);
  return value.trim();
}

export function collect(value: string, previous: string[] = []): string[] {
  return [...previous, value];
}

export function commaList(value: string, previous: string[] = []): string[] {
  return [
    ...previous,
    ...value
      .split(",")
      .map((item) => item.trim())
      .filter(Boolean),
  ];
}

/** What a URL typed without a usable scheme most likely meant, for "did you mean": undefined when nothing is likely. */
function meantUrl(shown: string): string | undefined {
  // "http//host", "https:/host": the scheme mistyped.
  const [, scheme, rest] = /^(https?)(?::\/?|\/\/?)(?!\/)(.+)$/i.exec(shown) ?? [];
  if (scheme !== undefined && rest !== undefined) return `${scheme.toLowerCase()}://${rest}`;
  // "3000", ":3000/hook": a port on this machine.
  const [, port, path] = /^:?(\d{1,5})(\/.*)?$/.exec(shown) ?? [];
  if (port !== undefined) return `localhost:${port}${path ?? ""}`;
  if (hasScheme(shown) || shown.startsWith("/") || !URL.canParse(`https://${shown}`)) return undefined;
  return `https://${shown}`;
}

export function httpUrl(value: string): string {
  // The value may carry a password: messages show it redacted (commander's own prefix is redacted in cli.ts).
  const shown = redactTypedUrl(value);
  const typed = withLoopbackScheme(value);
  const meant = hasScheme(typed) ? undefined : meantUrl(shown);
  if (meant !== undefined) {
    throw new InvalidArgumentError(`"${shown}" has no usable scheme; did you mean ${meant}? (http:// is assumed only on this machine, e.g. localhost:8080/webhooks)`);
  }
  let url: URL;
  try {
    url = new URL(typed);
  } catch {
    throw new InvalidArgumentError(`"${shown}" is not a URL; expected e.g. http://127.0.0.1:3000/webhooks`);
  }
  if (url.protocol !== "http:" && url.protocol !== "https:") {
    throw new InvalidArgumentError(`"${shown}" must start with http:// or https://`);
  }
  if (decodedUserinfo(url.username) === undefined || decodedUserinfo(url.password) === undefined) {
    throw new InvalidArgumentError(`"${shown}" has a "%" in its user name or password that is not an escape; write a literal % as %25`);
  }
  return url.toString();
}

export function examples(lines: readonly string[]): string {
  return `\nExamples:\n${lines.map((line) => `  $ ${line}`).join("\n")}\n`;
}

const DURATION_UNITS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };

function durationMs(value: string): number | undefined {
  const [, amount, unit] = /^(\d+)\s*(ms|s|m|h|d)$/.exec(value.trim()) ?? [];
  const scale = unit === undefined ? undefined : DURATION_UNITS[unit];
  return scale === undefined ? undefined : Number(amount) * scale;
}

/** "30d", "10s", "500ms": a span of time in milliseconds. */
export function duration(value: string): number {
  const ms = durationMs(value);
  if (ms === undefined) throw new InvalidArgumentError(`"${value}" is not a duration; use e.g. 30d, 12h, 10s or 500ms.`);
  return ms;
}

const ISO_DATE_TIME = /^(\d{4})-(\d{2})-(\d{2})(?:[T ]\d{2}:\d{2}(?::\d{2}(?:\.\d{1,9})?)?(Z|[+-]\d{2}:?\d{2})?)?$/i;

/** A calendar date that exists: JavaScript's Date would roll 2026-02-30 over to March 2. */
function isRealDate(year: number, month: number, day: number): boolean {
  const date = new Date(Date.UTC(year, month - 1, day));
  return date.getUTCFullYear() === year && date.getUTCMonth() === month - 1 && date.getUTCDate() === day;
}

/**
 * "15m", "2h", "7d" ago, or an ISO date/time; normalised to an ISO string that sorts like received_at.
 * A date/time without a zone is UTC, as every time the CLI prints is (and as Date reads a date
 * alone): read in the machine's zone, a time copied from "events list" would be off by its offset.
 */
export function since(value: string): string {
  const text = value.trim();
  const ago = durationMs(text);
  if (ago !== undefined) {
    const then = new Date(Date.now() - ago);
    // Past what a Date holds (10000000000d): a usage mistake, not a crash.
    if (Number.isNaN(then.getTime())) throw new InvalidArgumentError(`"${value}" reaches further back than any date; use a shorter duration or an ISO date such as 2026-11-23.`);
    return then.toISOString();
  }
  if (/^\d+$/.test(text)) {
    throw new InvalidArgumentError(`"${value}" has no unit; use a duration such as ${text}m, ${text}h or ${text}d, or an ISO date such as 2026-11-23.`);
  }
  const iso = ISO_DATE_TIME.exec(text);
  const zoneless = iso !== null && text.length > 10 && iso[4] === undefined;
  const parsed = new Date(zoneless ? `${text}Z` : text);
  if (!iso || Number.isNaN(parsed.getTime()) || !isRealDate(Number(iso[1]), Number(iso[2]), Number(iso[3]))) {
    throw new InvalidArgumentError(`"${value}" is neither a duration (15m, 2h, 7d) nor an ISO date such as 2026-11-23T10:00:00Z.`);
  }
  return parsed.toISOString();
}

/** --expect "2xx" or "200,204" or "2xx,409": each entry a status code or a class such as 4xx. */
export function expectedStatuses(value: string): string[] {
  const entries = value.split(",").map((entry) => entry.trim().toLowerCase()).filter(Boolean);
  const bad = entries.find((entry) => !/^[1-5](xx|\d\d)$/.test(entry));
  if (bad !== undefined || entries.length === 0) {
    throw new InvalidArgumentError(`"${bad ?? value}" is not a status; use a code such as 200 or a class such as 2xx, comma separated.`);
  }
  return entries;
}
