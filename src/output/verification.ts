import type { ResolvedSecret } from "../config.js";
import type { WebhookDiagnosis } from "../verify/diagnose.js";
import type { Subject } from "../verify/subject.js";
import type { Output } from "./index.js";
import { printable } from "./printable.js";

/** verify --json's object (and verify_request's). It names where the secret came from, never the secret. */
export function verificationJson(report: WebhookDiagnosis, subject: Subject, used: ResolvedSecret, toleranceSeconds: number): Record<string, unknown> {
  return {
    valid: report.valid,
    reason: report.verdict.ok ? null : report.verdict.reason,
    message: report.verdict.ok ? null : report.verdict.message,
    summary: report.summary,
    request: subject.stored
      ? {
          id: subject.stored.id,
          event_id: subject.stored.eventId,
          received_at: subject.stored.receivedAt,
          verification: subject.stored.verification,
          rejection: subject.stored.rejection,
        }
      : null,
    secret_source: used.source,
    checked_at: new Date(subject.now).toISOString(),
    tolerance_seconds: toleranceSeconds,
    diagnoses: report.diagnoses,
  };
}

/** verify's diagnosis in text: the verdict, then why it fails and what was ruled out (or, when it passes, what else to check). */
export function printVerification(out: Output, report: WebhookDiagnosis, subject: Subject): void {
  const { c } = out;
  // The event_id and what the diagnoses quote came in the request: whoever sent it chose them.
  const title = subject.stored ? `Request #${subject.stored.id}${subject.stored.eventId ? ` (event_id ${printable(subject.stored.eventId)})` : ""}: ` : "";
  const colon = report.summary.indexOf(":");
  const verdict = report.summary.slice(0, colon);
  out.line(`${title}${report.valid ? c.green.bold(verdict) : c.red.bold(verdict)}${printable(report.summary.slice(colon))}`);
  const disagreement = verdictDisagreement(report, subject);
  if (disagreement) {
    out.line("");
    out.line(c.yellow(disagreement));
  }
  const found = report.diagnoses.filter((d) => d.matched);
  if (report.valid) {
    const note = report.diagnoses.find((d) => d.code === "timestamp_milliseconds");
    out.line("");
    // The signature was never the problem: listen refused the request for something else (its envelope, its method, a browser's headers).
    if (subject.stored?.rejection) {
      out.line(`listen refused it all the same: ${printable(subject.stored.rejection)}. The signature is not the problem.`);
      return;
    }
    out.line(`If your handler still rejects it, it is not verifying these exact bytes with this secret, or it misreads the clock. ${note?.message ?? ""}`.trim());
    return;
  }
  if (found.length > 0) {
    out.line("");
    out.line(c.bold("Why"));
    for (const diagnosis of found) out.line(`  ${c.red("✗")} ${printable(diagnosis.message)}`);
  }
  const ruledOut = [...new Set(report.diagnoses.filter((d) => !d.matched).map((d) => d.message))];
  if (ruledOut.length > 0) {
    out.line("");
    out.line(c.bold("Checked"));
    for (const message of ruledOut) out.line(c.dim(`  - ${printable(message)}`));
  }
}

/**
 * A stored request's verdict here against listen's when it arrived. Both read the same bytes at
 * the same time, so they differ only when the two were given different secrets.
 */
function verdictDisagreement(report: WebhookDiagnosis, subject: Subject): string | undefined {
  const stored = subject.stored;
  if (!stored) return undefined;
  const arrived = stored.verification;
  if (report.valid && arrived !== "verified" && arrived !== "skipped" && arrived !== "not_checked") {
    return `listen refused it when it arrived (${arrived}): listen was verifying with another secret${arrived === "stale_timestamp" ? " or tolerance" : ""} than this check's.`;
  }
  if (!report.valid && arrived === "verified") {
    return "listen verified it when it arrived: listen was verifying with another secret than this check's (pass that one with --secret).";
  }
  return undefined;
}
