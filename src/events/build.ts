import { randomUUID } from "node:crypto";
import { suggest } from "../suggest.js";
import { catalogEntry, type EventName } from "./catalog.js";
import { loadFixture, type WebhookEnvelope } from "./fixtures.js";
import { OverrideError, type OverrideOp } from "./override-error.js";
import { getPath, hasPath, hasReservedKey, listPaths, parseAssignment, setPath, splitPath, unsetPath } from "./paths.js";
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

/** Parses "path=value" overrides as the CLI takes them (JSON values where they parse). */
export function parseAssignments(op: "set" | "add", assignments: readonly string[] = []): Assignment[] {
  return assignments.map((assignment) => {
    const parsed = parseAssignment(assignment);
    if (!parsed) throw new OverrideError({ op, reason: "malformed", path: assignment });
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

/** A path the event lacks, with the paths the caller may have meant (or its fields, when none is near). */
function noSuchField(envelope: WebhookEnvelope, op: OverrideOp, path: string): OverrideError {
  const candidates = listPaths(envelope);
  const nearest = !path.startsWith("payload.") && hasPath(envelope, `payload.${path}`) ? [`payload.${path}`] : suggest(path, candidates);
  const existing = nearest.length ? undefined : candidates.filter((p) => p.split(".").length <= 3);
  return new OverrideError({ op, reason: "no_such_field", event: envelope.event, path, nearest, existing });
}

function requireField(envelope: WebhookEnvelope, field: string, op: OverrideOp): void {
  if (!hasPath(envelope.payload, field)) {
    throw new OverrideError({ op, reason: "no_such_field", event: envelope.event, path: `payload.${field}` });
  }
}

/** The envelope's own fields: the event is built and signed from them, so each keeps its type. */
// A Map, not an object literal: a path named after an Object.prototype member (hasOwnProperty) is no field of it.
const ENVELOPE_FIELDS: ReadonlyMap<string, (value: unknown) => boolean> = new Map([
  ["event", (value: unknown) => typeof value === "string" && value !== ""],
  ["event_id", (value: unknown) => typeof value === "string" && value !== ""],
  ["payload", (value: unknown) => typeof value === "object" && value !== null && !Array.isArray(value)],
]);

function hasNonFiniteNumber(value: unknown): boolean {
  if (typeof value === "number") return !Number.isFinite(value);
  if (typeof value === "object" && value !== null) return Object.values(value).some(hasNonFiniteNumber);
  return false;
}

/** Refuses, before anything changes, an override that names no field, carries a number JSON cannot, or breaks the envelope. */
function checkOverride(envelope: WebhookEnvelope, op: "set" | "add" | "unset", path: string, value?: unknown): void {
  const segments = splitPath(path);
  if (segments.length === 0) throw new OverrideError({ op, reason: "empty_path", event: envelope.event, path });
  if (op !== "unset" && hasNonFiniteNumber(value)) throw new OverrideError({ op, reason: "not_finite", event: envelope.event, path });
  const check = segments.length === 1 ? ENVELOPE_FIELDS.get(segments[0] as string) : undefined;
  if (check && (op === "unset" || !check(value))) throw new OverrideError({ op, reason: "envelope_field", event: envelope.event, path });
}

/** Applies overrides to an envelope in place. Every override must land: a path that is not there is refused (an OverrideError). */
export function applyOverrides(envelope: WebhookEnvelope, overrides: EventOverrides): WebhookEnvelope {
  const root = envelope as unknown as Record<string, unknown>;
  if (overrides.accountId !== undefined) {
    requireField(envelope, "account_id", "accountId");
    envelope.payload.account_id = overrides.accountId;
  }
  if (overrides.endUserId !== undefined) {
    requireField(envelope, "end_user_id", "endUserId");
    envelope.payload.end_user_id = overrides.endUserId;
  }
  if (overrides.linkTokenId !== undefined && hasPath(envelope.payload, "link_token_id")) {
    envelope.payload.link_token_id = overrides.linkTokenId;
  }
  if (overrides.outcome !== undefined) {
    requireField(envelope, "outcome", "outcome");
    envelope.payload.outcome = overrides.outcome;
    if (overrides.outcome === "error") Object.assign(envelope.payload, ERROR_FIELDS);
    else for (const key of Object.keys(ERROR_FIELDS)) delete envelope.payload[key];
  }
  const reserved = [
    ...(overrides.set ?? []).map((parsed) => ["set", parsed.path] as const),
    ...(overrides.add ?? []).map((parsed) => ["add", parsed.path] as const),
    ...(overrides.unset ?? []).map((path) => ["unset", path] as const),
  ].find(([, path]) => hasReservedKey(path));
  if (reserved) throw new OverrideError({ op: reserved[0], reason: "reserved_key", event: envelope.event, path: reserved[1] });
  for (const parsed of overrides.set ?? []) checkOverride(envelope, "set", parsed.path, parsed.value);
  for (const parsed of overrides.add ?? []) checkOverride(envelope, "add", parsed.path, parsed.value);
  for (const path of overrides.unset ?? []) checkOverride(envelope, "unset", path);
  for (const parsed of overrides.set ?? []) {
    if (!hasPath(envelope, parsed.path)) throw noSuchField(envelope, "set", parsed.path);
    setPath(root, parsed.path, parsed.value);
  }
  for (const parsed of overrides.add ?? []) {
    if (hasPath(envelope, parsed.path)) {
      throw new OverrideError({ op: "add", reason: "already_exists", event: envelope.event, path: parsed.path });
    }
    const parent = parsed.path.split(".").slice(0, -1).join(".");
    const parentValue = parent ? getPath(envelope, parent) : envelope;
    if (parentValue !== undefined && (typeof parentValue !== "object" || parentValue === null)) {
      throw new OverrideError({ op: "add", reason: "parent_not_object", event: envelope.event, path: parsed.path, parent });
    }
    setPath(root, parsed.path, parsed.value);
  }
  for (const path of overrides.unset ?? []) {
    if (!hasPath(envelope, path)) throw noSuchField(envelope, "unset", path);
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
    throw new OverrideError({ op: "outcome", reason: "not_a_job_event", event: name, path: "payload.outcome" });
  }
  // Every job is a new job: the docs' samples all share one job id.
  if (job && typeof envelope.payload.id === "string") envelope.payload.id = randomUUID();
  applyOverrides(envelope, options);
  if (options.apiVersion !== undefined) applyApiVersion(envelope, options.apiVersion, { keepEndUserId: options.endUserId !== undefined });
  return envelope;
}
