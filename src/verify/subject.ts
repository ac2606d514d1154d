import { readHeader, SIGNATURE_HEADER, TIMESTAMP_HEADER } from "../signing.js";
import type { StoredRequest } from "../store/requests.js";
import { SubjectError } from "./subject-error.js";

/** A request to check: its bytes and signature headers, and the time its x-timestamp is checked against. */
export interface Subject {
  body: Buffer;
  signature: string | undefined;
  timestamp: string | undefined;
  now: number;
  /** How the diagnoses name that time. */
  clockLabel: string;
  /**
   * `verification`: listen's verdict when it arrived (verified, bad_signature, ..., not_checked);
   * `rejection`: why listen refused it after its signature (a 400 for a body that is no Pinwheel envelope), or null.
   */
  stored?: { id: number; eventId: string | null; receivedAt: string; verification: string; rejection: string | null };
}

/** A time to check against instead of the usual one, as given, and how the diagnoses name it (each adapter by its own flag or argument). */
export interface GivenNow {
  value: string;
  label: string;
}

/** An ISO 8601 date/time, or Unix seconds (milliseconds, when the number is too large to be seconds). */
export function parseNow(value: string): number {
  const text = value.trim();
  if (/^\d+$/.test(text)) {
    const number = Number(text);
    return number >= 1e11 ? number : number * 1000;
  }
  const parsed = Date.parse(text);
  if (Number.isNaN(parsed)) throw new SubjectError({ kind: "unreadable_now", value });
  return parsed;
}

/** A request given as its parts (pasted headers and a body), checked against `now` or this machine's clock. */
export function rawSubject(body: Buffer, signature: string | undefined, timestamp: string | undefined, now: GivenNow | undefined): Subject {
  return {
    body,
    signature,
    timestamp,
    now: now === undefined ? Date.now() : parseNow(now.value),
    clockLabel: now === undefined ? "this machine's clock" : now.label,
  };
}

/** A stored request, checked against `now` or the time it was received. */
export function storedSubject(request: StoredRequest, now: GivenNow | undefined): Subject {
  if (request.bodyTruncated) throw new SubjectError({ kind: "body_truncated", requestId: request.id, bodySize: request.bodySize });
  const headers: Record<string, string> = {};
  for (const [name, value] of request.headers) headers[name.toLowerCase()] ??= value;
  const receivedAt = Date.parse(request.receivedAt);
  return {
    body: request.body,
    signature: readHeader(headers, SIGNATURE_HEADER),
    timestamp: readHeader(headers, TIMESTAMP_HEADER),
    now: now === undefined ? receivedAt : parseNow(now.value),
    clockLabel: now === undefined ? `the time it was received (${request.receivedAt})` : now.label,
    stored: { id: request.id, eventId: request.eventId, receivedAt: request.receivedAt, verification: request.verification, rejection: request.rejection },
  };
}
