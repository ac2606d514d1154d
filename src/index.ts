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
export {
  parseWebhookEvent,
  safeParseWebhookEvent,
  type ParseWebhookOptions,
  type SafeParseWebhookResult,
  type WebhookEventOf,
  type ParsedWebhookEvent,
  type KnownPinwheelEvent,
  type UnknownPinwheelEvent,
} from "./library/parse-event.js";
export { PinwheelWebhookError, type WebhookErrorReason } from "./library/webhook-error.js";
export { createSignedRequest, type SignedRequest, type SignedRequestOptions } from "./library/signed-request.js";
export type { WebhookEnvelope } from "./events/fixtures.js";
export type { Outcome } from "./events/build.js";
// The diagnosis `pinwheel-cli verify` prints, for a handler's own failure path or tests.
export {
  diagnoseWebhook,
  DIAGNOSIS_CODES,
  type DiagnoseInput,
  type Diagnosis,
  type DiagnosisCode,
  type WebhookDiagnosis,
} from "./verify/diagnose.js";
export type { LabelledSecret } from "./verify/secret-variants.js";
// Core Data API responses (accounts, platforms, paystubs, shifts, employment, income, identity), for a handler's follow-up calls.
export {
  dataResponseSchemas,
  accountSchema,
  platformSchema,
  searchItemSchema,
  paystubSchema,
  shiftSchema,
  employmentSchema,
  incomeSchema,
  identitySchema,
  linkTokenSchema,
  type DataResponseName,
  type PinwheelAccount,
  type PinwheelPlatform,
  type PinwheelPaystub,
  type PinwheelShift,
  type PinwheelEmployment,
  type PinwheelIncome,
  type PinwheelIdentity,
} from "./api/data-schemas.js";
