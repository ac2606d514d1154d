import type { RequestStore, StoredRequest } from "./requests.js";

/**
 * No stored request has this row id or event_id. It names no command to look with: the CLI
 * points to `events list`, the MCP server to list_requests.
 */
export class MissingRequestError extends Error {
  override readonly name = "MissingRequestError";
  constructor(readonly reference: string) {
    super(`no stored request with id or event_id "${reference}"`);
  }
}

export function isMissingRequestError(error: unknown): error is MissingRequestError {
  return error instanceof MissingRequestError;
}

/** The stored request a row id or event_id names (see RequestStore.find for `verifiedFirst`). */
export function findRequest(store: Pick<RequestStore, "find">, reference: string, verifiedFirst = false): StoredRequest {
  const request = store.find(reference, verifiedFirst);
  if (!request) throw new MissingRequestError(reference);
  return request;
}
