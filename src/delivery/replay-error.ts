import { notVerified, rejectedAfterVerification, type StoredRequest } from "../store/requests.js";

/** Why a named stored request is not replayed, as data; the words name no flag or argument. */
export type ReplayErrorData =
  /** Its body was over the store's limit and only the first MiB is stored. */
  | { kind: "body_truncated"; requestId: number }
  /** It was not verified when it arrived, and re-signing it would give it a valid signature. */
  | { kind: "unverified"; requestId: number; verification: string }
  /** Its signature verified, but listen rejected it with a 400 (not a Pinwheel event); re-signed it would reach the app as one. */
  | { kind: "rejected"; requestId: number; rejection: string };

function describe(data: ReplayErrorData): string {
  switch (data.kind) {
    case "body_truncated":
      return `request ${data.requestId} cannot be replayed: its body was over 1 MiB and only the first MiB is stored`;
    case "unverified":
      return `request ${data.requestId} was not verified when it arrived (${data.verification}); re-signing would give it a valid signature`;
    case "rejected":
      return `request ${data.requestId} was rejected by listen after its signature verified (it is not a Pinwheel event); re-signing would send it to the app as one`;
  }
}

/** A named request replay refuses. For an unverified or rejected one each adapter adds how to send it all the same, in its own terms. */
export class ReplayError extends Error {
  override readonly name = "ReplayError";
  constructor(readonly data: ReplayErrorData) {
    super(describe(data));
  }
}

export function isReplayError(error: unknown): error is ReplayError {
  return error instanceof ReplayError;
}

/** What a replay was asked to re-sign besides verified requests listen accepted. */
export interface ReplayAllowance {
  /** Requests not verified when they arrived (see notVerified). */
  unverified: boolean;
  /** Requests listen rejected after their signature verified (see rejectedAfterVerification). */
  rejected: boolean;
}

/**
 * Why a stored request may not be sent again, or undefined when it may: a body not stored whole
 * never; one not verified when it arrived, or one listen rejected after verifying it (not a
 * Pinwheel event), only when allowed (or it goes as recorded, with its own signature), since
 * re-signed it reaches the app as a genuine event.
 */
export function replayRefusal(
  request: Pick<StoredRequest, "id" | "bodyTruncated" | "verification" | "rejection">,
  allowed: ReplayAllowance,
): ReplayErrorData | undefined {
  if (request.bodyTruncated) return { kind: "body_truncated", requestId: request.id };
  if (!allowed.unverified && notVerified(request)) return { kind: "unverified", requestId: request.id, verification: request.verification };
  if (!allowed.rejected && rejectedAfterVerification(request)) return { kind: "rejected", requestId: request.id, rejection: request.rejection ?? "" };
  return undefined;
}
