/**
 * The headers a Pinwheel webhook is signed with, and the default tolerance for its timestamp.
 * Apart from src/signing.ts, as verification-reasons.ts is, so that what only names a header
 * (a replay, a forward, reading the store for events list) does not load node:crypto.
 */
export const SIGNATURE_HEADER = "x-pinwheel-signature";
export const TIMESTAMP_HEADER = "x-timestamp";
export const WEBHOOK_ID_HEADER = "x-pinwheel-webhook-id";
export const DEFAULT_TOLERANCE_SECONDS = 300;
