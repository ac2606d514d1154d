import { notVerified, type StoredRequest } from "../store/requests.js";

/** Why a named stored request is not replayed, as data; the words name no flag or argument. */
export type ReplayErrorData =
  /** Its body was over the store's limit and only the first MiB is stored. */
  | { kind: "body_truncated"; requestId: number }
  /** It was not verified when it arrived, and re-signing it would give it a valid signature. */
  | { kind: "unverified"; requestId: number; verification: string };

function describe(data: ReplayErrorData): string {
  switch (data.kind) {
    case "body_truncated":
      return `request ${data.requestId} cannot be replayed: its body was over 1 MiB and only the first MiB is stored`;
    case "unverified":
      return `request ${data.requestId} was not verified when it arrived (${data.verification}); re-signing would give it a valid signature`;
  }
}

/** A named request replay refuses. For an unverified one each adapter adds how to send it all the same, in its own terms. */
export class ReplayError extends Error {
  override readonly name = "ReplayError";
  constructor(readonly data: ReplayErrorData) {
    super(describe(data));
  }
}

export function isReplayError(error: unknown): error is ReplayError {
  return error instanceof ReplayError;
}

/**
 * Why a stored request may not be sent again, or undefined when it may: a body not stored whole
 * never; one not verified when it arrived only when re-signing it was allowed (or it goes as
 * recorded, with its own failing signature), since re-signed it reaches the app as genuine.
 */
export function replayRefusal(request: Pick<StoredRequest, "id" | "bodyTruncated" | "verification">, unverifiedAllowed: boolean): ReplayErrorData | undefined {
  if (request.bodyTruncated) return { kind: "body_truncated", requestId: request.id };
  if (!unverifiedAllowed && notVerified(request)) return { kind: "unverified", requestId: request.id, verification: request.verification };
  return undefined;
}
