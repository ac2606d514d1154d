/**
 * Why a request fails verification. Apart from src/signing.ts so that reading the store
 * (events list, its --verdict filter) does not load node:crypto for a list of names.
 */
export const VERIFICATION_REASONS = [
  "missing_signature",
  "malformed_signature",
  "bad_signature",
  "missing_timestamp",
  "malformed_timestamp",
  "stale_timestamp",
] as const;

export type VerificationReason = (typeof VERIFICATION_REASONS)[number];

/**
 * What a verdict filter accepts: "failed" is anything neither verified nor skipped (--skip-verify).
 * Here, not beside the store's queries, so that parsing --verdict loads no store code.
 */
export const VERDICT_FILTERS: readonly string[] = ["verified", "failed", "skipped", "not_checked", ...VERIFICATION_REASONS];
