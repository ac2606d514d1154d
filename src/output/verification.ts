import type { ResolvedSecret } from "../config.js";
import type { WebhookDiagnosis } from "../verify/diagnose.js";
import type { Subject } from "../verify/subject.js";

/** verify --json's object (and verify_request's). It names where the secret came from, never the secret. */
export function verificationJson(report: WebhookDiagnosis, subject: Subject, used: ResolvedSecret, toleranceSeconds: number): Record<string, unknown> {
  return {
    valid: report.valid,
    reason: report.verdict.ok ? null : report.verdict.reason,
    message: report.verdict.ok ? null : report.verdict.message,
    summary: report.summary,
    request: subject.stored ? { id: subject.stored.id, event_id: subject.stored.eventId, received_at: subject.stored.receivedAt } : null,
    secret_source: used.source,
    checked_at: new Date(subject.now).toISOString(),
    tolerance_seconds: toleranceSeconds,
    diagnoses: report.diagnoses,
  };
}
