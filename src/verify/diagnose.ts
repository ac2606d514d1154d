import {
  DEFAULT_TOLERANCE_SECONDS,
  headerValueCopies,
  SIGNATURE_HEADER,
  TIMESTAMP_HEADER,
  verifyWebhook,
  type RawBody,
  type VerificationResult,
} from "../signing.js";
import { bodyVariants, MAX_RESERIALIZED_BYTES, type BodyVariant } from "./body-variants.js";
import { defined } from "../invariant.js";
import { findExplanation, type TimestampVariant } from "./search.js";
import { cleanedSecrets, dirtiedSecrets, otherSecrets, type LabelledSecret, type SecretVariant } from "./secret-variants.js";
import { normalizeSignature } from "./signature-format.js";
import { RAW_BODY_FIX_ANY_LANGUAGE, seconds, years } from "./wording.js";
import { withThousands } from "../thousands.js";

/** Every check, in the order they are reported. */
export const DIAGNOSIS_CODES = [
  "signature_format",
  "body_reserialized",
  "body_trailing_newline",
  "secret_whitespace",
  "secret_quotes",
  "other_secret",
  "timestamp_milliseconds",
  "clock_skew",
] as const;

export type DiagnosisCode = (typeof DIAGNOSIS_CODES)[number];

export interface Diagnosis {
  code: DiagnosisCode;
  /** True when this mistake is (part of) why the request fails. */
  matched: boolean;
  message: string;
}

export interface DiagnoseInput {
  rawBody: RawBody;
  /** The x-pinwheel-signature value. */
  signature: string | undefined;
  /** The x-timestamp value. */
  timestamp: string | undefined;
  secret: string;
  /** Where the secret comes from, e.g. "the secret from --secret". */
  secretLabel?: string | undefined;
  /** Other secrets the developer has (config file, environment): tried when the used one fails. */
  otherSecrets?: readonly LabelledSecret[] | undefined;
  /** Epoch milliseconds the timestamp is checked against; Date.now() when left out. */
  now?: number | undefined;
  /** Names that clock in messages, e.g. "the time it was received". */
  clockLabel?: string | undefined;
  toleranceSeconds?: number | undefined;
}

export interface WebhookDiagnosis {
  valid: boolean;
  /** What verifyWebhook says about the request exactly as given. */
  verdict: VerificationResult;
  /** One or two sentences: the verdict, and what to do when no check explains it. */
  summary: string;
  /** False when the request fails and the matched diagnoses do not account for it: the signature matches under none of the usual mistakes. */
  explained: boolean;
  diagnoses: Diagnosis[];
}

const MILLISECONDS_THRESHOLD = 1e11;

type Messages = Partial<Record<DiagnosisCode, { matched: boolean; message: string }>>;

function report(verdict: VerificationResult, summary: string, found: Messages, fallback: string, explained = true): WebhookDiagnosis {
  return {
    valid: verdict.ok,
    verdict,
    summary,
    explained,
    diagnoses: DIAGNOSIS_CODES.map((code) => ({ code, matched: found[code]?.matched ?? false, message: found[code]?.message ?? fallback })),
  };
}

function clockCheck(timestampSeconds: number, input: ClockedInput, tolerance: number): { matched: boolean; message: string } {
  const clock = input.clockLabel ?? "this machine's clock";
  const behind = input.now / 1000 - timestampSeconds;
  const within = `tolerance ${withThousands(tolerance)} s`;
  if (Math.abs(behind) <= tolerance) {
    const direction = behind >= 0 ? "behind" : "ahead of";
    return { matched: false, message: `x-timestamp is ${seconds(behind)} ${direction} ${clock}, within the ${within}.` };
  }
  if (behind > 0) {
    return {
      matched: true,
      message:
        `x-timestamp is ${seconds(behind)} behind ${clock} (${within}): either the sender's clock and this one differ by that much ` +
        "(sync both with NTP), or this is an old request sent again, which a handler is right to reject.",
    };
  }
  return {
    matched: true,
    message:
      `x-timestamp is ${seconds(-behind)} ahead of ${clock} (${within}): the sender's clock runs ahead of this one, ` +
      "or this one runs behind; sync both with NTP.",
  };
}

function secondsTimestampNote(timestampSeconds: number, now: number): string {
  return (
    "x-timestamp is Unix seconds, as Pinwheel sends it (in JavaScript, Date.now() is milliseconds): " +
    `a handler that reads it as milliseconds sees every delivery as ${years(now / 1000 - timestampSeconds / 1000)} years old.`
  );
}

function describeSecret(variant: SecretVariant, usedLabel: string): string {
  if (variant.direction === "added") {
    return (
      `The signature matches ${usedLabel} with ${variant.description} added: whoever signed the request used the secret with stray characters ` +
      "(read from a file with its newline, or a .env value with its quotes). Your secret is right; fix the sender's, e.g. the PINWHEEL_API_SECRET that pinwheel-cli or your test script signs with."
    );
  }
  if (variant.change === "secret_whitespace") {
    return (
      `The signature matches ${usedLabel} with ${variant.description} removed: the secret has stray whitespace ` +
      "(a .env file, a value pasted with its newline, or echo into a secret store). " +
      "Trim it where you load it (e.g. process.env.PINWHEEL_API_SECRET.trim()) and fix it where it is stored."
    );
  }
  if (variant.change === "secret_quotes") {
    return (
      `The signature matches ${usedLabel} without the ${variant.description}: the quotes became part of the secret ` +
      "(a .env or YAML value, or a shell that kept them). Remove them where the secret is stored."
    );
  }
  return (
    `The signature matches ${variant.label}, not ${usedLabel}: the request was signed with a different secret from the one you verify with. ` +
    "Each Pinwheel environment (sandbox, development, production) has its own API secret; give your handler the one of the environment that sends to it, " +
    "and give pinwheel-cli the same one when it sends."
  );
}

function describeBody(body: BodyVariant): string {
  if (body.change === "body_reserialized") {
    return `The signature matches the body ${body.description}: your framework parsed the JSON before you verified it. ${RAW_BODY_FIX_ANY_LANGUAGE}`;
  }
  if (body.description.startsWith("without")) {
    return (
      "The signature matches the body without its trailing newline: a newline was added after the request was signed " +
      '(a text editor saving the body to a file adds one, and so does code that appends "\\n"). Verify the bytes exactly as received.'
    );
  }
  return (
    "The signature matches the body with a trailing newline added: the signed bytes ended with a newline that was lost on the way " +
    "(a .trim(), or reading the body line by line). Verify the bytes exactly as received."
  );
}

function lowerFirst(text: string): string {
  return text.charAt(0).toLowerCase() + text.slice(1);
}

function timestampVariants(timestamp: string): TimestampVariant[] {
  const value = Number(timestamp);
  return value >= MILLISECONDS_THRESHOLD ? [{ text: String(Math.floor(value / 1000)), fromMilliseconds: true }] : [];
}

/** The request as diagnoseWebhook checks it, with the options' defaults filled in. */
/** The input with its clock read. */
type ClockedInput = DiagnoseInput & { now: number };

interface Checked {
  input: ClockedInput;
  body: Exclude<RawBody, string>;
  tolerance: number;
  usedLabel: string;
  verdict: VerificationResult;
  /** The verdict in words, "" when valid: every failing summary starts with it. */
  failed: string;
}

const EMPTY_BODY =
  "The body is empty (zero bytes), and Pinwheel never sends an empty body: another middleware already read the request stream " +
  "(an app-wide JSON or body parser) before the handler verified it. Pass the raw bytes to verification, and mount the webhook route before that parser or exclude its path from it.";

const NOT_CHECKED = "Not checked: there is no well-formed signature and timestamp to check against.";

/**
 * Verifies a request and, when it fails, says why in words: it retries the signature under the
 * usual handler mistakes (re-serialized body, secret with whitespace or quotes, another secret,
 * the timestamp in milliseconds) and measures the clock difference. Pure: no I/O, no clock of its own.
 * A failing request costs up to a few hundred HMACs over its body: in a handler, run it on a
 * sample of rejections (or behind a rate limit), not on every forged request from the internet.
 */
export function diagnoseWebhook(given: DiagnoseInput): WebhookDiagnosis {
  const input: ClockedInput = {
    ...given,
    signature: oneSignature(given.signature),
    timestamp: oneTimestamp(given.timestamp),
    now: given.now ?? Date.now(),
  };
  const tolerance = input.toleranceSeconds ?? DEFAULT_TOLERANCE_SECONDS;
  const body = typeof input.rawBody === "string" ? Buffer.from(input.rawBody, "utf8") : input.rawBody;
  // Every copy of a repeated header, as verifyWebhook reads them in a handler: one matching signature is enough.
  const headers = { [SIGNATURE_HEADER]: headerValueCopies(given.signature), [TIMESTAMP_HEADER]: headerValueCopies(given.timestamp) };
  const verdict = verifyWebhook({ secret: input.secret, headers, rawBody: body, toleranceSeconds: tolerance, now: input.now });
  const checked: Checked = {
    input,
    body,
    tolerance,
    usedLabel: input.secretLabel ?? "the secret you used",
    verdict,
    failed: verdict.ok ? "" : `invalid (${verdict.reason}): ${verdict.message}.`,
  };
  // The signature matches the request as given: only the timestamp can be wrong.
  if (verdict.ok || verdict.reason === "stale_timestamp") return diagnoseTimestampOnly(checked);
  const found: Messages = {};
  const signature = checkSignatureFormat(checked, found);
  const timestampText = input.timestamp?.trim();
  const timestampUnusable = !isUsableTimestamp(timestampText);
  // An unusable signature says so first; an unusable timestamp beside it is said too.
  if (signature === undefined) return report(verdict, timestampUnusable ? malformedTimestampSummary(checked, timestampText) : checked.failed, found, NOT_CHECKED);
  if (timestampUnusable || timestampText === undefined) return report(verdict, malformedTimestampSummary(checked, timestampText), found, NOT_CHECKED);
  return diagnoseMismatch(checked, found, signature, timestampText);
}

/**
 * The signature to diagnose, read as verifyWebhook reads a header (a string, copies joined with
 * ", ", or headersDistinct's array): the first well-formed copy, else the first.
 */
function oneSignature(signature: unknown): string | undefined {
  const copies = headerValueCopies(signature);
  return copies.find((copy) => normalizeSignature(copy)?.fixes.length === 0) ?? copies.find((copy) => normalizeSignature(copy)) ?? copies[0];
}

/** The timestamp, read as verifyWebhook reads it: copies that agree are one value; copies that differ stay joined, and malformed. */
function oneTimestamp(timestamp: unknown): string | undefined {
  const copies = headerValueCopies(timestamp);
  return copies.every((copy) => copy === copies[0]) ? copies[0] : copies.join(", ");
}

/** A request whose signature matches: what its timestamp says, and whether the clock allows it. */
function diagnoseTimestampOnly(checked: Checked): WebhookDiagnosis {
  const { input, verdict } = checked;
  const found: Messages = {};
  const timestamp = Number(defined(input.timestamp, "x-timestamp (the verdict read it)").trim());
  const inMilliseconds = timestamp >= MILLISECONDS_THRESHOLD;
  found.timestamp_milliseconds = inMilliseconds
    ? {
        matched: true,
        message:
          `x-timestamp ${timestamp} is in milliseconds, and the request was signed with it: whoever sent it used milliseconds ` +
          "(JavaScript's Date.now()) where Pinwheel sends Unix seconds.",
      }
    : { matched: false, message: secondsTimestampNote(timestamp, input.now) };
  found.clock_skew = clockCheck(inMilliseconds ? timestamp / 1000 : timestamp, input, checked.tolerance);
  const summary = verdict.ok ? `valid: the signature matches, and ${lowerFirst(found.clock_skew.message)}` : checked.failed;
  return report(verdict, summary, found, "Ruled out: the signature matches the body, timestamp and secret exactly as given.");
}

/** Records what is wrong with the signature's form; returns its 64 hex digits, or undefined when there are none to check. */
function checkSignatureFormat(checked: Checked, found: Messages): string | undefined {
  if (!checked.verdict.ok && checked.verdict.reason === "missing_signature") {
    found.signature_format = {
      matched: true,
      message: `There is no ${SIGNATURE_HEADER}: the request was not signed, so it did not come from Pinwheel (or a proxy dropped the header).`,
    };
    return undefined;
  }
  const signature = defined(checked.input.signature, "the signature (the verdict found it)");
  const normalized = normalizeSignature(signature);
  if (!normalized) {
    const shown = signature.trim();
    found.signature_format = {
      matched: true,
      message:
        `The signature is not "v2=" followed by 64 hex characters (got ${shown.length} characters starting ${JSON.stringify(shown.slice(0, 12))}): ` +
        `copy the whole ${SIGNATURE_HEADER} header value.`,
    };
    return undefined;
  }
  found.signature_format =
    normalized.fixes.length > 0
      ? {
          matched: true,
          message:
            `The signature ${normalized.fixes.join(" and ")}; it was checked as "v2=" and its 64 hex characters. ` +
            `Pinwheel's ${SIGNATURE_HEADER} is "v2=" followed by the hex digest: compare the whole header value with "v2=" + your digest.`,
        }
      : { matched: false, message: 'The signature is well formed: "v2=" and 64 hex characters, as Pinwheel sends it.' };
  return normalized.signature;
}

/** An x-timestamp that can be checked at all: Unix seconds (or milliseconds) in digits, as Pinwheel sends it. */
export function isUsableTimestamp(timestamp: string | undefined): boolean {
  const text = timestamp?.trim();
  return text !== undefined && /^\d{1,15}$/.test(text);
}

function malformedTimestampSummary(checked: Checked, timestampText: string | undefined): string {
  const why = `Pinwheel sends ${TIMESTAMP_HEADER} as Unix seconds in digits, and the signed message includes it, so nothing can be verified without it.`;
  // verifyWebhook reports a malformed signature first; with it recovered, the timestamp is what is wrong.
  const malformedSignature = !checked.verdict.ok && (checked.verdict.reason === "malformed_signature" || checked.verdict.reason === "missing_signature");
  const also = malformedSignature ? ` Also, ${timestampText ? `${TIMESTAMP_HEADER} is ${JSON.stringify(timestampText.slice(0, 40))}` : `there is no ${TIMESTAMP_HEADER}`}.` : "";
  return `${checked.failed}${also} ${why}`;
}

/** A well-formed signature that does not match: the usual mistakes tried one by one, and what each says. */
function diagnoseMismatch(checked: Checked, found: Messages, signature: string, timestampText: string): WebhookDiagnosis {
  const { input, body } = checked;
  const bodies = bodyVariants(body);
  const cleaned = cleanedSecrets(input.secret);
  const others = otherSecrets(input.secret, input.otherSecrets ?? []);
  const explanation = findExplanation({
    signature,
    timestamp: timestampText,
    secret: input.secret,
    body,
    timestamps: timestampVariants(timestampText),
    secrets: [...cleaned, ...others, ...dirtiedSecrets(input.secret)],
    bodies: bodies.variants,
  });
  bodyFindings(found, explanation, bodies, body.length);
  secretFindings(found, explanation, cleaned, others, checked.usedLabel);
  timestampFindings(found, explanation, timestampText, checked);
  // Pinwheel never sends an empty body: the handler read none of it, so nothing else matters.
  if (body.length === 0 && explanation === undefined) {
    found.body_reserialized = { matched: true, message: EMPTY_BODY };
    return report(checked.verdict, `${checked.failed} ${EMPTY_BODY}`, found, NOT_CHECKED);
  }
  return report(checked.verdict, mismatchSummary(checked.failed, found, explanation), found, NOT_CHECKED, explanation !== undefined);
}

type Explanation = ReturnType<typeof findExplanation>;

function bodyFindings(found: Messages, explanation: Explanation, bodies: ReturnType<typeof bodyVariants>, bodyLength: number): void {
  if (explanation?.body) {
    found[explanation.body.change] = { matched: true, message: describeBody(explanation.body) };
  }
  found.body_trailing_newline ??= {
    matched: false,
    message: "Not a trailing newline: the signature does not match the body with a trailing newline added or removed either.",
  };
  found.body_reserialized ??= {
    matched: false,
    message: bodies.json
      ? `Not re-serialized JSON: none of ${bodies.reserializations} re-serializations of the body matches ` +
        "(compact, 2- and 4-space and tab indentation, Python's separators, sorted keys, with and without a trailing newline)."
      : bodyLength > MAX_RESERIALIZED_BYTES
        ? "The body is too large to try re-serializations of it."
        : "The body is not JSON, so re-serializations of it were not tried.",
  };
}

function secretFindings(found: Messages, explanation: Explanation, cleaned: SecretVariant[], others: SecretVariant[], usedLabel: string): void {
  if (explanation?.secret) {
    found[explanation.secret.change] = { matched: true, message: describeSecret(explanation.secret, usedLabel) };
  }
  const whitespace = cleaned.find((variant) => variant.change === "secret_whitespace");
  found.secret_whitespace ??= {
    matched: false,
    message: whitespace
      ? `Removing the whitespace around the secret (${whitespace.description}) does not make the signature match.`
      : "The secret has no whitespace around it, and the signature does not match it with a trailing newline either.",
  };
  found.secret_quotes ??= {
    matched: false,
    message: cleaned.some((variant) => variant.change === "secret_quotes")
      ? "Removing the quotes around the secret does not make the signature match."
      : "The secret is not wrapped in quotes, and the signature does not match it in quotes either.",
  };
  found.other_secret ??= {
    matched: false,
    message: others.length
      ? `No other secret matches either (tried ${others.map((other) => other.label).join(", ")}).`
      : "There was no other secret to try.",
  };
}

function timestampFindings(found: Messages, explanation: Explanation, timestampText: string, checked: Checked): void {
  const timestamp = Number(explanation?.timestamp?.text ?? timestampText);
  if (explanation?.timestamp) {
    found.timestamp_milliseconds = {
      matched: true,
      message:
        `The signature matches x-timestamp ${explanation.timestamp.text}, in seconds; you passed ${timestampText}, milliseconds. ` +
        'Put the x-timestamp header in "v2:<timestamp>:" exactly as sent (Pinwheel sends Unix seconds); compare it with the current time in seconds.',
    };
  } else if (timestamp >= MILLISECONDS_THRESHOLD) {
    found.timestamp_milliseconds = {
      matched: true,
      message: `x-timestamp ${timestampText} looks like milliseconds; Pinwheel sends Unix seconds (in JavaScript, Date.now() is milliseconds).`,
    };
  } else {
    found.timestamp_milliseconds = { matched: false, message: secondsTimestampNote(timestamp, checked.input.now) };
  }
  found.clock_skew = clockCheck(timestamp >= MILLISECONDS_THRESHOLD ? timestamp / 1000 : timestamp, checked.input, checked.tolerance);
}

function mismatchSummary(failed: string, found: Messages, explanation: Explanation): string {
  if (explanation !== undefined) return failed;
  const anyMatched = Object.values(found).some((entry) => entry?.matched);
  return (
    failed +
    (anyMatched ? " Besides what is found below, the signature itself matches none of the usual mistakes." : " None of the usual mistakes explains it.") +
    " The likeliest causes: a secret that is not the one that signed it (each Pinwheel environment has its own API secret), " +
    "or a body changed on the way (a proxy or middleware that decompressed, re-encoded or truncated it, or a body copied from a log that is not byte for byte)."
  );
}
