import { USED_SECRET_LABELS, type ResolvedSecret } from "../config.js";
import { diagnoseWebhook, type WebhookDiagnosis } from "./diagnose.js";
import type { LabelledSecret } from "./secret-variants.js";
import type { Subject } from "./subject.js";

/**
 * The verdict and every diagnosis for a subject, with the secret in use and the developer's others
 * (developerSecrets in config.ts) as candidates for "signed with another one".
 */
export function diagnoseSubject(subject: Subject, used: ResolvedSecret, toleranceSeconds: number, otherSecrets: readonly LabelledSecret[]): WebhookDiagnosis {
  return diagnoseWebhook({
    rawBody: subject.body,
    signature: subject.signature,
    timestamp: subject.timestamp,
    secret: used.secret,
    secretLabel: USED_SECRET_LABELS[used.source],
    otherSecrets,
    now: subject.now,
    clockLabel: subject.clockLabel,
    toleranceSeconds,
  });
}
