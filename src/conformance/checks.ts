/**
 * The conformance suite's checks as data: stable ids (CI reports, --checks and docs key on them),
 * what each sends, why it matters and the one-line fix. The probing itself is in probes.ts.
 */

import { defined } from "../invariant.js";

export const CHECK_IDS = [
  "genuine-events",
  "forged-signature",
  "tampered-body",
  "wrong-secret",
  "missing-signature",
  "missing-timestamp",
  "stale-timestamp",
  "timestamp-in-milliseconds",
  "duplicate-delivery",
  "unknown-event",
  "extra-fields",
  "off-schema-payload",
  "out-of-order",
  "pending-then-result",
  "retried-delivery",
  "content-type",
  "response-time",
] as const;

export type CheckId = (typeof CHECK_IDS)[number];

export interface CheckDefinition {
  id: CheckId;
  /** What the check sends, in one line. */
  sends: string;
  /** What a conforming handler does. */
  expects: string;
  /** Why it matters in production. */
  why: string;
  /** How to fix a handler that fails it, in one line. */
  fix: string;
}

/** p95 above this warns: slow enough that a busy day pushes answers past Pinwheel's timeout. */
export const RESPONSE_TIME_WARN_MS = 2000;
/** Pinwheel's own timeout (docs/002); --timeout changes it. */
export const PINWHEEL_TIMEOUT_MS = 15_000;

export const CHECKS: readonly CheckDefinition[] = [
  {
    id: "genuine-events",
    sends: "every catalog event, correctly signed",
    expects: "2xx for each",
    why: "the easy half: a handler that refuses a genuine event loses it (Pinwheel never retries a 4XX) or gets it retried until the endpoint is paused",
    fix: "verify with the workspace's API secret over the raw body bytes, and answer 2xx to every event that verifies",
  },
  {
    id: "forged-signature",
    sends: "an event with a made-up x-pinwheel-signature that is not even 64 hex characters",
    expects: "not 2xx",
    why: "anyone who finds the URL can post to it; a comparison that lets a signature of the wrong length through (timingSafeEqual's length error caught and ignored, a prefix match) accepts anything",
    fix: 'refuse unless the header is "v2=" and 64 hex characters and equals the HMAC you computed (constant-time, same length)',
  },
  {
    id: "tampered-body",
    sends: "a correctly signed request whose body was changed after signing: once a value, once only its formatting",
    expects: "not 2xx, both times",
    why: "the signature is what ties the body to Pinwheel; verifying re-serialized JSON (parsed before verifying) accepts other bytes than were signed, and refuses Pinwheel's real deliveries whenever their formatting differs",
    fix: "compute the HMAC over the raw request bytes as received, before any JSON parsing (express.raw, req.arrayBuffer(); Flask request.get_data(), Django request.body, FastAPI await request.body())",
  },
  {
    id: "wrong-secret",
    sends: "an event signed correctly but with another secret",
    expects: "not 2xx",
    why: "a well-formed signature made with the wrong key is what a forger, or another workspace (sandbox vs production), produces",
    fix: "verify with this workspace's API secret only, and refuse on mismatch (do not fall back to another key)",
  },
  {
    id: "missing-signature",
    sends: "an event with no x-pinwheel-signature header",
    expects: "not 2xx",
    why: "a handler that verifies only when the header is present verifies nothing: a forger leaves it out",
    fix: "refuse a request without x-pinwheel-signature",
  },
  {
    id: "missing-timestamp",
    sends: "an event with no x-timestamp header (signed over an empty timestamp)",
    expects: "not 2xx",
    why: "without a timestamp a captured request cannot be dated, so it can be replayed forever",
    fix: "refuse a request without x-timestamp before computing anything (never default it to an empty string or to now)",
  },
  {
    id: "stale-timestamp",
    sends: "a genuine signature over an x-timestamp older than the tolerance (--tolerance, default 300 s)",
    expects: "not 2xx",
    why: "a request captured once (a log, a proxy) can be replayed later with its valid signature; the timestamp check is what stops it",
    fix: "refuse when |now - x-timestamp| exceeds your tolerance (5 minutes is usual)",
  },
  {
    id: "timestamp-in-milliseconds",
    sends: "a genuine signature over an x-timestamp in milliseconds (13 digits)",
    expects: "not 2xx",
    why: "x-timestamp is Unix seconds; read as seconds a millisecond value is far in the future, so a freshness check that only refuses old timestamps (or converts milliseconds) lets it live forever",
    fix: "treat x-timestamp as seconds and refuse when the absolute difference from now exceeds the tolerance, future included",
  },
  {
    id: "duplicate-delivery",
    sends: "the same request (same bytes, same event_id, same headers) twice",
    expects: "2xx both times; with --state-url, the second leaves the app's state unchanged",
    why: "Pinwheel delivers at least once: a duplicate refused with a 4XX is harmless, but one processed twice double-counts (two deposits, two notifications)",
    fix: "store event_id with a unique constraint; on a duplicate answer 2xx and do nothing else",
  },
  {
    id: "unknown-event",
    sends: "a correctly signed event whose name the catalog does not have",
    expects: "2xx (4xx fails: the event is lost; 5xx warns)",
    why: "Pinwheel adds events; it never retries a 4XX, so a handler that answers 400 to a new event name loses it for good",
    fix: "after verifying, acknowledge (2xx) any event you do not handle yet, and log it",
  },
  {
    id: "extra-fields",
    sends: "a known event with added fields (in the envelope, the payload and its params), one holding non-ASCII text",
    expects: "2xx (4xx fails; 5xx warns)",
    why: "Pinwheel adds fields without notice; a strict schema answering 400 loses every event from then on",
    fix: "validate tolerantly: ignore unknown fields (zod looseObject, no additionalProperties: false)",
  },
  {
    id: "off-schema-payload",
    sends: "known events off their schema: an optional params left out, an outcome, sync_status or monitoring status the docs do not list",
    expects: "2xx for each (4xx loses the event; a 5xx is retried with the same body, which fails the same way)",
    why: "Pinwheel's docs mark many payload fields optional and add enum values over time; a handler that crashes on payload.params.count or an unknown outcome answers 500 to every retry, and the event is lost",
    fix: "read payload fields defensively (payload.params?.count), treat an outcome or status you do not know as not final and log it, and act on the parsed event's issues instead of failing the request",
  },
  {
    id: "out-of-order",
    sends: "the at-least-once scenario without its duplicates: the 30-day sync arrives after the 90-day one",
    expects: "2xx for each",
    why: "Pinwheel does not promise order; a handler that refuses an older event after a newer one loses it",
    fix: "accept events in any order; order by the payload's own dates, not by arrival",
  },
  {
    id: "pending-then-result",
    sends: "the pending-then-success scenario: a job arrives as pending, then the same job (same payload.id) with its result",
    expects: "2xx for each",
    why: "a pending job is always followed by its result for the same job id; refusing the second as a duplicate loses the result",
    fix: "dedupe on event_id, not on the job's payload.id; treat pending as not final",
  },
  {
    id: "retried-delivery",
    sends: "the same body and event_id sent again, re-signed with a fresh x-timestamp, as Pinwheel's retries are",
    expects: "2xx; with --state-url, the retry leaves the app's state unchanged",
    why: "every retry carries a new timestamp and so a new signature: a handler that dedupes on the signature processes it twice, one that refuses a second timestamp loses it",
    fix: "dedupe on event_id only, and accept a known event_id with a new timestamp as a duplicate (2xx)",
  },
  {
    id: "content-type",
    sends: "a genuine event sent as application/json; charset=utf-8, then one with its header names capitalized",
    expects: "2xx for each",
    why: "a body parser matched on the exact string application/json skips the request or hands the handler no body; a header looked up by its exact case (a case-preserving map) misses X-Pinwheel-Signature",
    fix: "match the media type, not the whole header (type-is, or split on ';')",
  },
  {
    id: "response-time",
    sends: "nothing more: every answer above is timed",
    expects: "p95 within 2 s (else warn); no answer later than Pinwheel's 15 s timeout (--timeout)",
    why: "Pinwheel gives up after 15 s, counts the delivery failed and retries it, so a slow handler processes events twice and ends up paused",
    fix: "answer 2xx as soon as the event is stored, then do the work in the background (a queue, a job)",
  },
];

export function checkDefinition(id: CheckId): CheckDefinition {
  return defined(
    CHECKS.find((check) => check.id === id),
    `the definition of check ${id} (CHECKS must define every CHECK_IDS entry)`,
  );
}

export function isCheckId(value: string): value is CheckId {
  return (CHECK_IDS as readonly string[]).includes(value);
}
