/**
 * The library entry: what users import into their own webhook handlers and tests.
 * It must not load the CLI, SQLite or terminal packages.
 */
export {
  signWebhook,
  signedHeaders,
  verifyWebhook,
  SIGNATURE_HEADER,
  TIMESTAMP_HEADER,
  WEBHOOK_ID_HEADER,
  DEFAULT_TOLERANCE_SECONDS,
  type VerifyWebhookOptions,
  type VerificationResult,
  type VerificationReason,
  type HeaderBag,
  type RawBody,
} from "./signing.js";
export {
  payloadSchemas,
  eventSchemas,
  envelopeSchema,
  webhookEventSchema,
  validateWebhookEvent,
  type PinwheelWebhookEvent,
  type SchemaIssue,
} from "./events/schemas.js";
export { EVENT_NAMES, CATALOG, type EventName, type EventFamily, type CatalogEntry } from "./events/catalog.js";
