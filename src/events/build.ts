import { randomUUID } from "node:crypto";
import { usageError } from "../errors.js";
import { didYouMean } from "../suggest.js";
import { catalogEntry, type EventName } from "./catalog.js";
import { loadFixture, type WebhookEnvelope } from "./fixtures.js";
import { getPath, hasPath, listPaths, parseAssignment, setPath, unsetPath } from "./paths.js";
import { applyApiVersion } from "./versions.js";

export type Outcome = "success" | "error" | "pending";

export interface Assignment {
  path: string;
  value: unknown;
}

export interface EventOverrides {
  accountId?: string;
  endUserId?: string;
  linkTokenId?: string;
  outcome?: Outcome;
  /** Fields the fixture has. */
  set?: readonly Assignment[];
  /** Fields the fixture lacks. */
  add?: readonly Assignment[];
  unset?: readonly string[];
}

/** Parses --set/--add "path=value" options (JSON values where they parse). */
/**
 * The builder's errors name the CLI's flags (--set, --add, --unset, --outcome); a scenario file or a
 * library caller wrote fields or option names, so their errors quote those instead.
 */
export function inOverrideTerms(message: string): string {
  return message.replace(/--(set|add|unset|outcome)\b/g, '"$1"');
}

export function parseAssignments(option: "--set" | "--add", assignments: readonly string[] = []): Assignment[] {
  return assignments.map((assignment) => {
    const parsed = parseAssignment(assignment);
    if (!parsed) throw usageError(`${option} ${assignment}: expected path=value, e.g. payload.params.count=7`);
    return parsed;
  });
}

export interface BuildOptions extends EventOverrides {
  /** Epoch milliseconds used for every timestamp in the payload. */
  now?: number;
  eventId?: string;
  /** The payload format of this Pinwheel API version (YYYY-MM-DD); today's without it. */
  apiVersion?: string;
}

/** Pinwheel's own timestamp format: microseconds and an explicit +00:00 offset. */
export function pinwheelTimestamp(epochMs: number): string {
  return new Date(epochMs).toISOString().replace(/\.(\d{3})Z$/, ".$1000+00:00");
}

const ISO_DATETIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?([+-]\d{2}:\d{2}|Z)$/;

function refreshTimestamps(value: unknown, stamp: string): unknown {
  if (typeof value === "string") return ISO_DATETIME.test(value) ? stamp : value;
  if (Array.isArray(value)) return value.map((item) => refreshTimestamps(item, stamp));
  if (typeof value === "object" && value !== null) {
    return Object.fromEntries(Object.entries(value).map(([key, child]) => [key, refreshTimestamps(child, stamp)]));
  }
  return value;
}

const DAY_MS = 86_400_000;
const PAY_DATE_KEY = /_pay_date$/;
const DATE_ONLY = /^\d{4}-\d{2}-\d{2}$/;

function payDates(value: unknown, found: string[] = []): string[] {
  if (Array.isArray(value)) value.forEach((item) => payDates(item, found));
  else if (typeof value === "object" && value !== null) {
    for (const [key, child] of Object.entries(value)) {
      if (PAY_DATE_KEY.test(key) && typeof child === "string" && DATE_ONLY.test(child)) found.push(child);
      else payDates(child, found);
    }
  }
  return found;
}

function shiftPayDates(value: unknown, days: number): unknown {
  if (Array.isArray(value)) return value.map((item) => shiftPayDates(item, days));
  if (typeof value !== "object" || value === null) return value;
  return Object.fromEntries(
    Object.entries(value).map(([key, child]) =>
      PAY_DATE_KEY.test(key) && typeof child === "string" && DATE_ONLY.test(child)
        ? [key, new Date(Date.parse(`${child}T00:00:00Z`) + days * DAY_MS).toISOString().slice(0, 10)]
        : [key, shiftPayDates(child, days)],
    ),
  );
}

/**
 * The docs' samples are paid in 2020. Like a scenario's {{today}}, the pay dates move together so
 * that the latest is two days before now: a handler that ignores old pay periods still sees them.
 */
function recentPayDates(payload: unknown, nowMs: number): unknown {
  const dates = payDates(payload);
  if (dates.length === 0) return payload;
  const latest = Math.max(...dates.map((date) => Date.parse(`${date}T00:00:00Z`)));
  const target = Date.parse(`${new Date(nowMs - 2 * DAY_MS).toISOString().slice(0, 10)}T00:00:00Z`);
  return shiftPayDates(payload, Math.round((target - latest) / DAY_MS));
}

// Pinwheel does not document its error codes; these read like its documented error classes.
const ERROR_FIELDS = { error_code: "platform_unavailable", error_type: "platform_error" };

function nearestPath(envelope: WebhookEnvelope, path: string): string {
  const candidates = listPaths(envelope);
  if (!path.startsWith("payload.") && hasPath(envelope, `payload.${path}`)) return `did you mean "payload.${path}"?`;
  return didYouMean(path, candidates) || `existing fields: ${candidates.filter((p) => p.split(".").length <= 3).join(", ")}`;
}

function requireField(envelope: WebhookEnvelope, field: string, option: string): void {
  if (!hasPath(envelope.payload, field)) {
    throw usageError(`${option}: ${envelope.event} has no payload.${field}`);
  }
}

/** Applies overrides to an envelope in place. Every override must land: a path that is not there is refused. */
export function applyOverrides(envelope: WebhookEnvelope, overrides: EventOverrides): WebhookEnvelope {
  const root = envelope as unknown as Record<string, unknown>;
  if (overrides.accountId !== undefined) {
    requireField(envelope, "account_id", "--account-id");
    envelope.payload.account_id = overrides.accountId;
  }
  if (overrides.endUserId !== undefined) {
    requireField(envelope, "end_user_id", "--end-user-id");
    envelope.payload.end_user_id = overrides.endUserId;
  }
  if (overrides.linkTokenId !== undefined && hasPath(envelope.payload, "link_token_id")) {
    envelope.payload.link_token_id = overrides.linkTokenId;
  }
  if (overrides.outcome !== undefined) {
    requireField(envelope, "outcome", "--outcome");
    envelope.payload.outcome = overrides.outcome;
    if (overrides.outcome === "error") Object.assign(envelope.payload, ERROR_FIELDS);
    else for (const key of Object.keys(ERROR_FIELDS)) delete envelope.payload[key];
  }
  for (const parsed of overrides.set ?? []) {
    if (!hasPath(envelope, parsed.path)) {
      throw usageError(`--set ${parsed.path}: ${envelope.event} has no such field; ${nearestPath(envelope, parsed.path)} (use --add for a new field)`);
    }
    setPath(root, parsed.path, parsed.value);
  }
  for (const parsed of overrides.add ?? []) {
    if (hasPath(envelope, parsed.path)) {
      throw usageError(`--add ${parsed.path}: the field already exists; use --set to change it`);
    }
    const parent = parsed.path.split(".").slice(0, -1).join(".");
    const parentValue = parent ? getPath(envelope, parent) : envelope;
    if (parentValue !== undefined && (typeof parentValue !== "object" || parentValue === null)) {
      throw usageError(`--add ${parsed.path}: ${parent} is not an object`);
    }
    setPath(root, parsed.path, parsed.value);
  }
  for (const path of overrides.unset ?? []) {
    if (!hasPath(envelope, path)) {
      throw usageError(`--unset ${path}: ${envelope.event} has no such field; ${nearestPath(envelope, path)}`);
    }
    unsetPath(root, path);
  }
  return envelope;
}

/** The event simulate sends: its fixture with a fresh event_id and fresh timestamps, then the overrides. */
export function buildEvent(name: EventName, options: BuildOptions = {}): WebhookEnvelope {
  const fixture = loadFixture(name);
  const nowMs = options.now ?? Date.now();
  const stamp = pinwheelTimestamp(nowMs);
  const envelope: WebhookEnvelope = {
    event: fixture.event,
    event_id: options.eventId ?? randomUUID(),
    payload: recentPayDates(refreshTimestamps(fixture.payload, stamp), nowMs) as Record<string, unknown>,
  };
  const { job } = catalogEntry(name);
  if (options.outcome !== undefined && !job) {
    throw usageError(`--outcome: ${name} is not a job event and carries no outcome`);
  }
  // Every job is a new job: the docs' samples all share one job id.
  if (job && typeof envelope.payload.id === "string") envelope.payload.id = randomUUID();
  applyOverrides(envelope, options);
  if (options.apiVersion !== undefined) applyApiVersion(envelope, options.apiVersion, { keepEndUserId: options.endUserId !== undefined });
  return envelope;
}
