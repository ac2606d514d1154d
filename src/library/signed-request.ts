import { randomUUID } from "node:crypto";
import { applyOverrides, buildEvent, type Assignment, type Outcome } from "../events/build.js";
import { EVENT_NAMES, isEventName, type EventName } from "../events/catalog.js";
import type { WebhookEnvelope } from "../events/fixtures.js";
import { describeOverride, isOverrideError, type OverrideOp } from "../events/override-error.js";
import { nowProblem, SECONDS_OR_MILLISECONDS, signedHeaders } from "../signing.js";
import { didYouMean } from "../suggest.js";

export interface SignedRequestOptions {
  /** The API secret your handler verifies with. Required: a default would hide the very mix-up tests should catch. */
  secret: string;
  /** x-timestamp in Unix seconds (default: now). Use an old one to test that your handler refuses replays. */
  timestamp?: number | undefined;
  /** The clock, epoch milliseconds or a Date: timestamps inside the payload, and x-timestamp unless given. */
  now?: number | Date | undefined;
  /** x-pinwheel-webhook-id (default: a new UUID). */
  webhookId?: string | undefined;
  eventId?: string | undefined;
  accountId?: string | undefined;
  endUserId?: string | undefined;
  /** payload.outcome of a job event; "error" also sets error_code and error_type. */
  outcome?: Outcome | undefined;
  /** Change fields the event has, by dotted path: { "payload.params.count": 7 }. */
  set?: Record<string, unknown> | undefined;
  /** Add fields it lacks. */
  add?: Record<string, unknown> | undefined;
  /** Remove fields. */
  unset?: readonly string[] | undefined;
}

export interface SignedRequest {
  /** content-type, x-pinwheel-signature, x-timestamp, x-pinwheel-webhook-id. */
  headers: Record<string, string>;
  /** The exact bytes that were signed, as a string: send it unchanged. */
  body: string;
  /** The event that was serialized into body, for assertions. */
  event: WebhookEnvelope;
}

const OUTCOMES: readonly Outcome[] = ["success", "error", "pending"];

/** Each override as the caller wrote it: the option of SignedRequestOptions. */
const OPTION_OF: Record<OverrideOp, keyof SignedRequestOptions> = {
  set: "set",
  add: "add",
  unset: "unset",
  outcome: "outcome",
  accountId: "accountId",
  endUserId: "endUserId",
};

/** A library caller gets a TypeError that names its own options, not the CLI's flags. */
function inLibraryTerms<T>(build: () => T): T {
  try {
    return build();
  } catch (error) {
    if (!isOverrideError(error)) throw error;
    throw new TypeError(`createSignedRequest: ${describeOverride(error, (op) => `"${OPTION_OF[op]}"`)}`, { cause: error });
  }
}

function assignments(record: Record<string, unknown> | undefined): Assignment[] {
  return Object.entries(record ?? {}).map(([path, value]) => ({ path, value }));
}

/** What is wrong with the options a request is built from, in their own names (each would sign a request nothing can verify). */
function optionProblem(event: unknown, options: SignedRequestOptions): string | undefined {
  if (typeof event !== "string" && (typeof event !== "object" || event === null || Array.isArray(event))) {
    return `the event must be an event name or an envelope object; got ${JSON.stringify(event) ?? typeof event}`;
  }
  const { timestamp, webhookId, eventId, unset } = options;
  if (timestamp !== undefined && !(Number.isSafeInteger(timestamp) && timestamp >= 0)) {
    return `timestamp must be Unix seconds, a whole number; got ${typeof timestamp === "number" ? String(timestamp) : JSON.stringify(timestamp)}`;
  }
  // Every handler would refuse it as stale (parseWebhookEvent's now option refuses the same mix-up the other way).
  if (typeof timestamp === "number" && timestamp > SECONDS_OR_MILLISECONDS) {
    return `timestamp must be Unix seconds; ${timestamp} looks like milliseconds (Math.floor(Date.now() / 1000) gives seconds)`;
  }
  if (webhookId !== undefined && typeof webhookId !== "string") return `webhookId must be a string; got ${typeof webhookId}`;
  if (eventId !== undefined && typeof eventId !== "string") return `eventId must be a string; got ${typeof eventId}`;
  if (eventId === "") return `eventId is empty, which every handler refuses (an unset variable?); to test that refusal, pass set: { event_id: "" }`;
  if (unset !== undefined && (!Array.isArray(unset) || !unset.every((path) => typeof path === "string"))) {
    return `unset must be an array of paths, such as ["payload.account_id"]; got ${Array.isArray(unset) ? "an array holding a non-string" : typeof unset}`;
  }
  for (const name of ["accountId", "endUserId"] as const) {
    const value: unknown = options[name];
    if (value !== undefined && typeof value !== "string") return `${name} must be a string; got ${typeof value}`;
  }
  for (const name of ["set", "add"] as const) {
    const value: unknown = options[name];
    if (value !== undefined && (typeof value !== "object" || value === null || Array.isArray(value))) {
      return `${name} must be an object of dotted paths and values, such as { "payload.params.count": 7 }; got ${value === null ? "null" : Array.isArray(value) ? "an array" : typeof value}`;
    }
  }
  return undefined;
}

/**
 * A delivery exactly as Pinwheel would send it, for your own tests: a realistic event built from
 * pinwheel-cli's fixtures (or your own envelope), serialized, and signed.
 *
 *   const { headers, body } = createSignedRequest("paystubs.added", { secret: "test-secret" });
 *   await request(app).post("/webhooks/pinwheel").set(headers).send(body); // supertest
 *   await fetch(url, { method: "POST", headers, body });
 */
export function createSignedRequest(event: EventName | WebhookEnvelope, options: SignedRequestOptions): SignedRequest {
  if (typeof options?.secret !== "string" || options.secret === "") {
    throw new TypeError("createSignedRequest needs { secret }: the API secret your handler verifies with");
  }
  const badOption = nowProblem(options.now) ?? optionProblem(event, options);
  if (badOption !== undefined) throw new TypeError(`createSignedRequest: ${badOption}`);
  const nowMs = options.now === undefined ? Date.now() : Number(options.now);
  const overrides = {
    accountId: options.accountId,
    endUserId: options.endUserId,
    outcome: options.outcome,
    set: assignments(options.set),
    add: assignments(options.add),
    unset: options.unset,
  };
  if (options.outcome !== undefined && !OUTCOMES.includes(options.outcome)) {
    throw new TypeError(`createSignedRequest: outcome must be ${OUTCOMES.map((o) => `"${o}"`).join(", ")}, got ${JSON.stringify(options.outcome)}`);
  }
  let envelope: WebhookEnvelope;
  if (typeof event === "string") {
    if (!isEventName(event)) {
      const hint = didYouMean(event, EVENT_NAMES);
      throw new TypeError(`createSignedRequest: unknown event "${event}"${hint ? `; ${hint}` : ""}`);
    }
    envelope = inLibraryTerms(() => buildEvent(event, { ...overrides, now: nowMs, eventId: options.eventId }));
  } else {
    envelope = inLibraryTerms(() => applyOverrides(structuredClone(event), overrides));
    if (options.eventId !== undefined) envelope.event_id = options.eventId;
  }
  const body = JSON.stringify(envelope);
  const headers = signedHeaders(options.secret, body, {
    timestamp: options.timestamp ?? Math.floor(nowMs / 1000),
    webhookId: options.webhookId ?? randomUUID(),
  });
  return { headers, body, event: envelope };
}
