import type { ApiErrorBody } from "../api/types.js";

/**
 * Error answers of the Core Data stand-in, in Pinwheel's shape (FACTS.md). Pinwheel records no
 * 404 for an unknown account (API-DATA.md §6); RECORD_NOT_FOUND is its documented type for one.
 */
export function recordNotFound(what: "account" | "platform", id: string): ApiErrorBody {
  return { type: "RECORD_NOT_FOUND", code: `${what}_not_found`, message: `No ${what} with id ${id}.`, status_code: 404 };
}

/** A job the account never ran, or that ended in error, has nothing to serve yet. */
export function dataNotAvailable(job: string, accountId: string, failed: boolean): ApiErrorBody {
  const why = failed ? `the ${job} job ended in error` : `no ${job} job has completed`;
  return { type: "RECORD_NOT_FOUND", code: "data_not_available", message: `No ${job} for account ${accountId}: ${why}.`, status_code: 404 };
}
