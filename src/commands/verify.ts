import { DEFAULT_DEV_SECRET, readConfigFile, resolvePaths, resolveSecret, type ResolvedSecret, type SecretSource } from "../config.js";
import { CliError, usageError } from "../errors.js";
import { createOutput, type Output } from "../output/index.js";
import { printable } from "../output/printable.js";
import { readHeader, SIGNATURE_HEADER, TIMESTAMP_HEADER } from "../signing.js";
import { diagnoseWebhook, type WebhookDiagnosis } from "../verify/diagnose.js";
import type { LabelledSecret } from "../verify/secret-variants.js";
import { readBodyFile, secretFor } from "../cli/inputs.js";

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

export interface Subject {
  body: Buffer;
  signature: string | undefined;
  timestamp: string | undefined;
  now: number;
  clockLabel: string;
  stored?: { id: number; eventId: string | null; receivedAt: string };
}

export const USED_SECRET_LABELS: Record<SecretSource, string> = {
  flag: "the secret from --secret",
  env: "the secret from PINWHEEL_API_SECRET",
  config: "the config file's api-secret",
  default: "pinwheel-cli's built-in local development secret",
};

export function parseNow(value: string): number {
  const text = value.trim();
  if (/^\d+$/.test(text)) {
    const number = Number(text);
    return number >= 1e11 ? number : number * 1000;
  }
  const parsed = Date.parse(text);
  if (Number.isNaN(parsed)) {
    throw usageError(`--now ${value}: expected an ISO date/time such as 2026-11-23T10:00:00Z, or Unix seconds`);
  }
  return parsed;
}

/** A request given as its parts (pasted headers and a body), checked against `now` or this machine's clock. */
export function rawSubject(body: Buffer, signature: string | undefined, timestamp: string | undefined, now: string | undefined, nowLabel = "--now"): Subject {
  return {
    body,
    signature,
    timestamp,
    now: now === undefined ? Date.now() : parseNow(now),
    clockLabel: now === undefined ? "this machine's clock" : nowLabel,
  };
}

function fromFlags(options: VerifyOptions): Subject {
  const missing = (["body", "signature", "timestamp"] as const).filter((name) => options[name] === undefined);
  if (missing.length > 0 || options.body === undefined) {
    throw usageError(
      `verify needs --body, --signature and --timestamp (missing ${missing.map((m) => `--${m}`).join(", ")}), or the id of a stored request: pinwheel-cli verify 42`,
    );
  }
  return rawSubject(readBodyFile("--body", options.body), options.signature, options.timestamp, options.now);
}

export async function fromStore(reference: string, options: VerifyOptions): Promise<Subject> {
  const given = (["body", "signature", "timestamp"] as const).filter((name) => options[name] !== undefined);
  if (given.length > 0) {
    throw usageError(`pass either a stored request id or --body/--signature/--timestamp, not both (drop --${given[0]})`);
  }
  // SQLite is loaded only for a stored request: checking pasted headers needs no database.
  const [{ openStoreForReading }, { requestStore }] = await Promise.all([import("../cli/read-store.js"), import("../store/requests.js")]);
  const { db } = openStoreForReading(options.db);
  try {
    const request = requestStore(db).find(reference);
    if (!request) throw new CliError(`no stored request with id or event_id "${reference}"; see "pinwheel-cli events list"`);
    if (request.bodyTruncated) {
      throw new CliError(`request #${request.id}'s body was stored truncated (${request.bodySize} bytes received), so its signature cannot be checked`);
    }
    const headers: Record<string, string> = {};
    for (const [name, value] of request.headers) headers[name.toLowerCase()] ??= value;
    const receivedAt = Date.parse(request.receivedAt);
    return {
      body: request.body,
      signature: readHeader(headers, SIGNATURE_HEADER),
      timestamp: readHeader(headers, TIMESTAMP_HEADER),
      now: options.now === undefined ? receivedAt : parseNow(options.now),
      clockLabel: options.now === undefined ? `the time it was received (${request.receivedAt})` : "--now",
      stored: { id: request.id, eventId: request.eventId, receivedAt: request.receivedAt },
    };
  } finally {
    db.close();
  }
}

/** The other secrets the developer has, so that "signed with another one" can be recognised. */
function otherSecrets(): LabelledSecret[] {
  const paths = resolvePaths();
  const others: LabelledSecret[] = [];
  // An empty PINWHEEL_API_SECRET is refused where it would be used; here it is just not a candidate.
  const environment = (() => {
    try {
      return resolveSecret(undefined);
    } catch {
      return undefined;
    }
  })();
  if (environment?.source === "env") others.push({ label: "the secret in PINWHEEL_API_SECRET", secret: environment.secret });
  const configured = readConfigFile(paths)["api-secret"];
  if (configured) others.push({ label: `the api-secret in the config file (${paths.configFile})`, secret: configured });
  others.push({ label: "pinwheel-cli's built-in development secret, used when it is given none", secret: DEFAULT_DEV_SECRET });
  return others;
}

function printText(out: Output, report: WebhookDiagnosis, subject: Subject): void {
  const { c } = out;
  // The event_id and what the diagnoses quote came in the request: whoever sent it chose them.
  const title = subject.stored ? `Request #${subject.stored.id}${subject.stored.eventId ? ` (event_id ${printable(subject.stored.eventId)})` : ""}: ` : "";
  const colon = report.summary.indexOf(":");
  const verdict = report.summary.slice(0, colon);
  out.line(`${title}${report.valid ? c.green.bold(verdict) : c.red.bold(verdict)}${printable(report.summary.slice(colon))}`);
  const found = report.diagnoses.filter((d) => d.matched);
  if (report.valid) {
    const note = report.diagnoses.find((d) => d.code === "timestamp_milliseconds");
    out.line("");
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

/** The verdict and every diagnosis for a subject, with the secret in use and the developer's others as candidates. */
export function diagnoseSubject(subject: Subject, used: ResolvedSecret, toleranceSeconds: number): WebhookDiagnosis {
  return diagnoseWebhook({
    rawBody: subject.body,
    signature: subject.signature,
    timestamp: subject.timestamp,
    secret: used.secret,
    secretLabel: USED_SECRET_LABELS[used.source],
    otherSecrets: otherSecrets(),
    now: subject.now,
    clockLabel: subject.clockLabel,
    toleranceSeconds,
  });
}

/** verify --json's object. It names where the secret came from, never the secret. */
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

export async function run(reference: string | undefined, options: VerifyOptions): Promise<void> {
  const out = createOutput({ json: options.json });
  const subject = reference === undefined ? fromFlags(options) : await fromStore(reference, options);
  const used = secretFor(out, options.secret);
  const report = diagnoseSubject(subject, used, options.tolerance);

  if (options.json) {
    out.data(verificationJson(report, subject, used, options.tolerance));
  } else {
    printText(out, report, subject);
  }

  const clock = report.diagnoses.find((d) => d.code === "clock_skew");
  if (!subject.stored && options.now === undefined && clock?.matched && !out.json) {
    out.notice("Checking a request captured earlier? Pass --now <when it was received> (ISO 8601 or Unix seconds).");
  }
  if (!report.valid) {
    const causes = report.diagnoses.filter((d) => d.matched).length;
    const where = out.json ? "in diagnoses" : "above";
    // A stale (or missing, malformed) x-timestamp fails a request whose signature may well match.
    const check = !report.verdict.ok && report.verdict.reason.endsWith("_timestamp") ? "timestamp" : "signature";
    throw new CliError(
      report.explained
        ? `the ${check} check fails: ${causes === 1 ? "1 likely cause" : `${causes} likely causes`} ${where}`
        : `the ${check} check fails, and no usual mistake explains it (see ${out.json ? "summary" : "above"})`,
    );
  }
}
