import { developerSecrets } from "../config.js";
import { CliError, usageError } from "../errors.js";
import { createOutput } from "../output/index.js";
import { printVerification, verificationJson } from "../output/verification.js";
import { isUsableTimestamp } from "../verify/diagnose.js";
import { diagnoseSubject } from "../verify/diagnose-subject.js";
import { rawSubject, storedSubject, type GivenNow, type Subject } from "../verify/subject.js";
import { readBodyFile, secretFor } from "../cli/inputs.js";
import { TIMESTAMP_HEADER } from "../signature-headers.js";
import type { WebhookDiagnosis } from "../verify/diagnose.js";

export interface VerifyOptions {
  body?: string;
  signature?: string;
  timestamp?: string;
  secret?: string;
  tolerance: number;
  now?: string;
  db?: string;
  json?: boolean;
}

/** --now, as the diagnoses name the time it gives. */
const givenNow = (now: string | undefined): GivenNow | undefined => (now === undefined ? undefined : { value: now, label: "--now" });

async function fromFlags(options: VerifyOptions): Promise<Subject> {
  const missing = (["body", "signature", "timestamp"] as const).filter((name) => options[name] === undefined);
  if (missing.length > 0 || options.body === undefined) {
    throw usageError(
      `verify needs --body, --signature and --timestamp (missing ${missing.map((m) => `--${m}`).join(", ")}), or the id of a stored request: pinwheel-cli verify 42`,
    );
  }
  return rawSubject(await readBodyFile("--body", options.body), options.signature, options.timestamp, givenNow(options.now));
}

async function fromStore(reference: string, options: VerifyOptions): Promise<Subject> {
  const given = (["body", "signature", "timestamp"] as const).filter((name) => options[name] !== undefined);
  if (given.length > 0) {
    throw usageError(`pass either a stored request id or --body/--signature/--timestamp, not both (drop --${given[0]})`);
  }
  // SQLite is loaded only for a stored request: checking pasted headers needs no database.
  const [{ openStoreForReading }, { requestStore }, { findRequest }] = await Promise.all([
    import("../cli/read-store.js"),
    import("../store/requests.js"),
    import("../store/missing-request.js"),
  ]);
  const { db } = openStoreForReading(options.db, { readOnly: true });
  try {
    return storedSubject(findRequest(requestStore(db), reference), givenNow(options.now));
  } finally {
    db.close();
  }
}

export async function run(reference: string | undefined, options: VerifyOptions): Promise<void> {
  const out = createOutput({ json: options.json });
  const subject = reference === undefined ? await fromFlags(options) : await fromStore(reference, options);
  const used = secretFor(out, options.secret);
  const report = diagnoseSubject(subject, used, options.tolerance, developerSecrets());

  if (options.json) {
    out.data(verificationJson(report, subject, used, options.tolerance));
  } else {
    printVerification(out, report, subject);
  }

  const clock = report.diagnoses.find((d) => d.code === "clock_skew");
  if (!subject.stored && options.now === undefined && clock?.matched && !out.json) {
    out.notice("Checking a request captured earlier? Pass --now <when it was received> (ISO 8601 or Unix seconds).");
  }
  if (!report.valid) throw new CliError(failureLine(report, subject.timestamp, out.json ? "in diagnoses" : "above", out.json ? "summary" : "above"));
}

/** The closing error: which check fails and where its causes are; an unusable x-timestamp is named, since no diagnosis covers it. */
function failureLine(report: WebhookDiagnosis, timestamp: string | undefined, where: string, summary: string): string {
  const causes = report.diagnoses.filter((d) => d.matched).length;
  const verdict = report.verdict;
  // A stale (or missing, malformed) x-timestamp fails a request whose signature may well match.
  const timestampFails = !verdict.ok && verdict.reason.endsWith("_timestamp");
  const unusable = timestamp === undefined ? `there is no ${TIMESTAMP_HEADER}` : `${TIMESTAMP_HEADER} ${JSON.stringify(timestamp.slice(0, 40))} is not Unix seconds in digits`;
  if (timestampFails && verdict.reason !== "stale_timestamp") return `the timestamp check fails: ${verdict.message}`;
  const also = !timestampFails && !isUsableTimestamp(timestamp) ? `; ${unusable} either` : "";
  const check = timestampFails ? "timestamp" : "signature";
  return report.explained
    ? `the ${check} check fails: ${causes === 1 ? "1 likely cause" : `${causes} likely causes`} ${where}${also}`
    : `the ${check} check fails, and no usual mistake explains it (see ${summary})${also}`;
}
