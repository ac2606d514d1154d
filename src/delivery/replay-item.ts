import { defined } from "../invariant.js";
import { DEFAULT_TOLERANCE_SECONDS, TIMESTAMP_HEADER, WEBHOOK_ID_HEADER } from "../signature-headers.js";
import { rejectedAfterVerification, type ReplayableRequest } from "../store/requests.js";
import { recordedHeaders, storedHeader } from "./recorded-headers.js";

/**
 * Why a handler that checks what it must refuses a request sent as recorded: its x-timestamp is
 * older than a freshness window (the usual 5 minutes), or its signature never verified.
 */
export type ExpectedRefusal =
  | { kind: "stale"; ageSeconds: number }
  /** An x-timestamp in the future, in milliseconds, or judged stale when it arrived though its age cannot be read now. */
  | { kind: "untimely"; timestamp: string }
  | { kind: "unverified"; verification: string };

/** Verdicts of a recording whose own signature or timestamp no secret verifies. */
const UNVERIFIABLE = new Set(["bad_signature", "missing_signature", "malformed_signature", "missing_timestamp", "malformed_timestamp"]);

/** A stored request as replay sends it again, and what its attempts are recorded against. */
export interface ReplayItem {
  event: string | null;
  eventId: string | null;
  body: Buffer;
  requestId: number;
  /** x-pinwheel-webhook-id as it arrived: a re-signed replay sends the same one, as Pinwheel's retry would. */
  webhookId: string | undefined;
  /** Sent as recorded: the stored headers, old signature and timestamp included, instead of a fresh signature. */
  recordedHeaders: Record<string, string> | undefined;
  /** Sent as recorded: how the request fared when it arrived ("verified", or why it failed), for the failure hint. */
  recordedVerification: string | undefined;
  /** Why listen refused it after its signature verified (replay --include-rejected), for the failure hint. */
  recordedRejection: string | undefined;
  /** Sent as recorded: why the app should refuse it, when it should; a 2xx is then the failure. */
  expectedRefusal: ExpectedRefusal | undefined;
  /** Sent as recorded: the age of its x-timestamp when sent, when it has a readable one. */
  recordedAgeSeconds: number | undefined;
}

export function replayItem(request: ReplayableRequest, asRecorded: boolean, nowMs = Date.now()): ReplayItem {
  const { headers } = request;
  const sentHeaders = asRecorded ? recordedHeaders({ headers: defined(headers, "the headers a replay as recorded sends") }) : undefined;
  const timestamp = sentHeaders?.[TIMESTAMP_HEADER];
  const ageSeconds = recordedAge(timestamp, nowMs);
  return {
    event: request.event,
    eventId: request.eventId,
    body: request.body,
    requestId: request.id,
    webhookId: headers ? storedHeader({ headers }, WEBHOOK_ID_HEADER) : (request.webhookId ?? undefined),
    recordedHeaders: sentHeaders,
    recordedVerification: asRecorded ? request.verification : undefined,
    recordedRejection: rejectedAfterVerification(request) ? (request.rejection ?? undefined) : undefined,
    expectedRefusal: asRecorded ? expectedRefusal(request.verification, timestamp, ageSeconds) : undefined,
    recordedAgeSeconds: ageSeconds === undefined ? undefined : Math.max(0, ageSeconds),
  };
}

/**
 * Whether an answer is the one a delivery should get: a 2xx, or for a request sent as recorded that
 * the app should refuse (ExpectedRefusal), a 4XX. Shared by replay, the MCP server and the page.
 */
export function answeredAsExpected(expected: ExpectedRefusal | undefined, answer: { ok: boolean; statusCode?: number | undefined }): boolean {
  if (expected === undefined) return answer.ok;
  return answer.statusCode !== undefined && answer.statusCode >= 400 && answer.statusCode < 500;
}

/** Seconds since the x-timestamp (negative for one in the future), when it is Unix seconds in digits. */
function recordedAge(timestamp: string | undefined, nowMs: number): number | undefined {
  if (timestamp === undefined || !/^\d{1,12}$/.test(timestamp.trim())) return undefined;
  return Math.round(nowMs / 1000 - Number(timestamp));
}

function expectedRefusal(verification: string, timestamp: string | undefined, ageSeconds: number | undefined): ExpectedRefusal | undefined {
  if (UNVERIFIABLE.has(verification)) return { kind: "unverified", verification };
  if (ageSeconds !== undefined && ageSeconds > DEFAULT_TOLERANCE_SECONDS) return { kind: "stale", ageSeconds };
  // Listen judged it stale when it arrived (a time in the future, in milliseconds): it is still not now.
  const untimely = ageSeconds === undefined ? verification === "stale_timestamp" : ageSeconds < -DEFAULT_TOLERANCE_SECONDS || verification === "stale_timestamp";
  if (untimely && timestamp !== undefined) return { kind: "untimely", timestamp };
  return undefined;
}
