/** Why a request cannot be checked, as data; the words name no flag or argument. */
export type SubjectErrorData =
  /** The time given to check x-timestamp against is neither an ISO 8601 date/time nor Unix seconds. */
  | { kind: "unreadable_now"; value: string }
  /** A stored request whose body was cut at the store's limit: its signature cannot be recomputed. */
  | { kind: "body_truncated"; requestId: number; bodySize: number };

function describe(data: SubjectErrorData): string {
  switch (data.kind) {
    case "unreadable_now":
      return `${data.value}: expected an ISO date/time such as 2026-11-23T10:00:00Z, or Unix seconds`;
    case "body_truncated":
      return `request #${data.requestId}'s body was stored truncated (${data.bodySize} bytes received), so its signature cannot be checked`;
  }
}

/** A request that cannot be checked. The CLI puts its --now before an unreadable time, the MCP server its "now". */
export class SubjectError extends Error {
  override readonly name = "SubjectError";
  constructor(readonly data: SubjectErrorData) {
    super(describe(data));
  }
}

export function isSubjectError(error: unknown): error is SubjectError {
  return error instanceof SubjectError;
}
