import { describe, expect, it } from "vitest";
import { signWebhook } from "../../src/signing.js";
import { diagnoseWebhook, type DiagnoseInput, type DiagnosisCode, type WebhookDiagnosis } from "../../src/verify/diagnose.js";

const SECRET = "sk_diagnose_7f3a9c";
const NOW = Date.UTC(2026, 10, 23, 12, 0, 0);
const T = Math.floor(NOW / 1000) - 2;

// Key order deliberately unsorted, and a non-ASCII character, so every variant is distinct.
const EVENT = {
  event: "paystubs.fully_synced",
  event_id: "5a141122-4235-4fa1-bd76-0628573880b0",
  payload: { name: "paystubs", account_id: "03bbc20e-bc39-464a-b4dc-4b63ffb7213d", params: { count: 53 }, employer: "Crème Brûlée Inc" },
};
const COMPACT = JSON.stringify(EVENT);
const PRETTY = JSON.stringify(EVENT, null, 2);

function sortKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortKeys);
  if (typeof value === "object" && value !== null) {
    return Object.fromEntries(Object.keys(value).sort().map((key) => [key, sortKeys((value as Record<string, unknown>)[key])]));
  }
  return value;
}

/** What Python's json.dumps(EVENT) sends: ", " and ": ", non-ASCII escaped. */
function pythonDumps(value: unknown): string {
  return JSON.stringify(value)
    .replace(/","/g, '", "')
    .replace(/":/g, '": ')
    .replace(/,"/g, ', "')
    // eslint-disable-next-line no-control-regex -- the ASCII range, NUL included, is the point
    .replace(/[^\x00-\x7f]/g, (ch) => `\\u${ch.charCodeAt(0).toString(16).padStart(4, "0")}`);
}

function diagnose(overrides: Partial<DiagnoseInput> & { signedBody?: string; signedSecret?: string; signedTimestamp?: string }): WebhookDiagnosis {
  const signedBody = overrides.signedBody ?? COMPACT;
  const signedTimestamp = overrides.signedTimestamp ?? String(T);
  return diagnoseWebhook({
    rawBody: signedBody,
    signature: signWebhook(overrides.signedSecret ?? SECRET, signedTimestamp, signedBody),
    timestamp: signedTimestamp,
    secret: SECRET,
    secretLabel: "the secret from --secret",
    now: NOW,
    ...overrides,
  });
}

function matched(report: WebhookDiagnosis): DiagnosisCode[] {
  return report.diagnoses.filter((d) => d.matched).map((d) => d.code);
}

function message(report: WebhookDiagnosis, code: DiagnosisCode): string {
  return report.diagnoses.find((d) => d.code === code)!.message;
}

describe("diagnoseWebhook", () => {
  it("says valid, with the clock difference, when nothing is wrong", () => {
    const report = diagnose({});
    expect(report.valid).toBe(true);
    expect(matched(report)).toEqual([]);
    expect(report.summary).toMatch(/^valid: the signature matches, and x-timestamp is 2 s behind/);
    // Every check is listed, whatever the outcome, so --json consumers see a stable shape.
    expect(report.diagnoses.map((d) => d.code)).toContain("clock_skew");
    expect(report.diagnoses).toHaveLength(8);
  });

  describe("a body re-serialized after parsing", () => {
    it("names 2-space indentation when the handler verified compact JSON of a pretty body", () => {
      const report = diagnose({ signedBody: PRETTY, rawBody: COMPACT });
      expect(report.valid).toBe(false);
      expect(report.verdict).toMatchObject({ ok: false, reason: "bad_signature" });
      expect(matched(report)).toEqual(["body_reserialized"]);
      expect(message(report, "body_reserialized")).toMatch(/^The signature matches the body re-serialized with 2-space indentation: your framework parsed the JSON/);
      expect(message(report, "body_reserialized")).toContain("express.raw({ type: 'application/json' })");
      expect(message(report, "body_reserialized")).toContain("parseAs: 'buffer'");
      expect(message(report, "body_reserialized")).toContain("await req.text()");
      // A Python handler's author gets theirs too.
      expect(message(report, "body_reserialized")).toContain("Flask: `request.get_data()`; Django: `request.body`; FastAPI or Starlette: `await request.body()`");
    });

    it("names compact JSON when the handler verified a pretty-printed body", () => {
      const report = diagnose({ signedBody: COMPACT, rawBody: PRETTY });
      expect(matched(report)).toEqual(["body_reserialized"]);
      expect(message(report, "body_reserialized")).toMatch(/re-serialized compact \(no spaces\):/);
    });

    it("names sorted keys", () => {
      const report = diagnose({ signedBody: JSON.stringify(sortKeys(EVENT)), rawBody: COMPACT });
      expect(matched(report)).toEqual(["body_reserialized"]);
      expect(message(report, "body_reserialized")).toMatch(/compact \(no spaces\), keys sorted:/);
    });

    it("names Python's separators with non-ASCII escaped", () => {
      const report = diagnose({ signedBody: pythonDumps(EVENT), rawBody: COMPACT });
      expect(matched(report)).toEqual(["body_reserialized"]);
      expect(message(report, "body_reserialized")).toMatch(/Python's default separators .*non-ASCII characters escaped/);
    });

    it("names a re-serialization that also carries a trailing newline", () => {
      const report = diagnose({ signedBody: `${PRETTY}\n`, rawBody: COMPACT });
      expect(matched(report)).toEqual(["body_reserialized"]);
      expect(message(report, "body_reserialized")).toMatch(/2-space indentation, with a trailing newline:/);
    });

    it("rules re-serialization out, with what it tried, when the JSON differs", () => {
      const report = diagnose({ signedBody: COMPACT, rawBody: COMPACT.replace("53", "54") });
      expect(matched(report)).toEqual([]);
      expect(message(report, "body_reserialized")).toMatch(/^Not re-serialized JSON: none of \d+ re-serializations/);
      expect(report.summary).toMatch(/None of the usual mistakes explains it/);
      expect(report.explained).toBe(false);
    });
  });

  describe("a trailing newline gained or lost", () => {
    it("names a newline added after signing (an editor saving the body)", () => {
      const report = diagnose({ signedBody: COMPACT, rawBody: `${COMPACT}\n` });
      expect(matched(report)).toEqual(["body_trailing_newline"]);
      expect(message(report, "body_trailing_newline")).toMatch(/^The signature matches the body without its trailing newline/);
    });

    it("names a newline lost after signing", () => {
      const report = diagnose({ signedBody: `${COMPACT}\n`, rawBody: COMPACT });
      expect(matched(report)).toEqual(["body_trailing_newline"]);
      expect(message(report, "body_trailing_newline")).toMatch(/with a trailing newline added/);
    });
  });

  describe("the timestamp in milliseconds", () => {
    it("names it when the signature matches the same instant in seconds", () => {
      const report = diagnose({ timestamp: `${T}000` });
      expect(matched(report)).toEqual(["timestamp_milliseconds"]);
      expect(message(report, "timestamp_milliseconds")).toContain(`The signature matches x-timestamp ${T}, in seconds; you passed ${T}000, milliseconds`);
    });

    it("names it when the sender signed milliseconds", () => {
      const report = diagnose({ signedTimestamp: `${T}123` });
      expect(report.verdict).toMatchObject({ ok: false, reason: "stale_timestamp" });
      expect(matched(report)).toEqual(["timestamp_milliseconds"]);
      expect(message(report, "timestamp_milliseconds")).toMatch(/is in milliseconds, and the request was signed with it: whoever sent it used milliseconds \(JavaScript's Date.now\(\)\) where Pinwheel sends Unix seconds\.$/);
    });

    it("warns a valid request's reader that the header is seconds, with the age a millisecond reading gives", () => {
      const report = diagnose({});
      expect(message(report, "timestamp_milliseconds")).toBe(
        "x-timestamp is Unix seconds, as Pinwheel sends it (in JavaScript, Date.now() is milliseconds): a handler that reads it as milliseconds sees every delivery as 57 years old.",
      );
    });
  });

  describe("the secret", () => {
    it("names stray whitespace, without printing the secret", () => {
      const report = diagnose({ secret: `${SECRET}\n` });
      expect(matched(report)).toEqual(["secret_whitespace"]);
      expect(message(report, "secret_whitespace")).toMatch(/^The signature matches the secret from --secret with a newline at the end removed/);
      expect(JSON.stringify(report)).not.toContain(SECRET);
    });

    it("names quotes around the secret", () => {
      const report = diagnose({ secret: `"${SECRET}"` });
      expect(matched(report)).toEqual(["secret_quotes"]);
      expect(message(report, "secret_quotes")).toMatch(/without the double quotes around it: the quotes became part of the secret/);
      expect(JSON.stringify(report)).not.toContain(SECRET);
    });

    it("names quotes and whitespace together", () => {
      const report = diagnose({ secret: ` '${SECRET}'\r\n` });
      expect(matched(report)).toEqual(["secret_quotes"]);
      expect(message(report, "secret_quotes")).toMatch(/single quotes around it, and a space at the start and a carriage return and a newline at the end/);
    });

    it("names a sender that signed with the secret's trailing newline (a test script reading it from a file)", () => {
      const report = diagnose({ signedSecret: `${SECRET}\n` });
      expect(matched(report)).toEqual(["secret_whitespace"]);
      expect(message(report, "secret_whitespace")).toMatch(/with a newline at the end added: whoever signed the request used the secret with stray characters/);
    });

    it("names another secret from the config file", () => {
      const report = diagnose({
        secret: "sk_some_other_workspace",
        otherSecrets: [{ label: "the config file's api-secret", secret: SECRET }],
      });
      expect(matched(report)).toEqual(["other_secret"]);
      expect(message(report, "other_secret")).toMatch(/^The signature matches the config file's api-secret, not the secret from --secret/);
      expect(JSON.stringify(report)).not.toContain(SECRET);
      expect(JSON.stringify(report)).not.toContain("sk_some_other_workspace");
    });

    it("does not offer the used secret again as another one", () => {
      const report = diagnose({ rawBody: "{}", otherSecrets: [{ label: "the config file's api-secret", secret: SECRET }] });
      expect(message(report, "other_secret")).toMatch(/no other secret to try/);
    });
  });

  describe("the clock", () => {
    it("reports a stale timestamp in seconds", () => {
      const report = diagnose({ now: (T + 412) * 1000 });
      expect(report.verdict).toMatchObject({ ok: false, reason: "stale_timestamp" });
      expect(matched(report)).toEqual(["clock_skew"]);
      expect(message(report, "clock_skew")).toMatch(/^x-timestamp is 412 s \(about 7 minutes\) behind this machine's clock \(tolerance 300 s\)/);
    });

    it("reports a timestamp from the future", () => {
      const report = diagnose({ now: (T - 3_600) * 1000, clockLabel: "the time it was received" });
      expect(matched(report)).toEqual(["clock_skew"]);
      expect(message(report, "clock_skew")).toMatch(/^x-timestamp is 3,600 s \(about 60 minutes\) ahead of the time it was received/);
    });

    it("reports the clock too when the signature is also wrong", () => {
      const report = diagnose({ rawBody: PRETTY, now: (T + 1_000) * 1000 });
      expect(matched(report)).toEqual(["body_reserialized", "clock_skew"]);
    });
  });

  describe("the signature header", () => {
    it("recovers a signature pasted without its v2= prefix", () => {
      const signature = signWebhook(SECRET, T, COMPACT).slice(3);
      const report = diagnose({ signature });
      expect(report.verdict).toMatchObject({ ok: false, reason: "malformed_signature" });
      expect(matched(report)).toEqual(["signature_format"]);
      expect(message(report, "signature_format")).toMatch(/has no "v2=" prefix/);
      expect(report.summary).not.toMatch(/None of the usual mistakes/);
    });

    it("says what is wrong with an unusable signature", () => {
      const report = diagnose({ signature: "sha256=abc" });
      expect(matched(report)).toEqual(["signature_format"]);
      expect(message(report, "signature_format")).toMatch(/not "v2=" followed by 64 hex characters \(got 10 characters starting "sha256=abc"\)/);
    });

    it("says what is wrong with a missing or malformed timestamp, once", () => {
      const missing = diagnose({ timestamp: undefined });
      expect(missing.summary).toBe(
        "invalid (missing_timestamp): no x-timestamp header. Pinwheel sends x-timestamp as Unix seconds in digits, and the signed message includes it, so nothing can be verified without it.",
      );
      const both = diagnose({ signature: signWebhook(SECRET, T, COMPACT).slice(3), timestamp: "2026-11-23T12:00:00Z" });
      expect(both.summary).toMatch(/^invalid \(malformed_signature\): .*\. Also, x-timestamp is "2026-11-23T12:00:00Z"\. Pinwheel sends/);
      expect(matched(both)).toEqual(["signature_format"]);
      // A signature beyond recovery does not hide the timestamp's problem.
      const neither = diagnose({ signature: "abc", timestamp: "notanumber" });
      expect(neither.summary).toMatch(/^invalid \(malformed_signature\): .*\. Also, x-timestamp is "notanumber"\. Pinwheel sends/);
      const unsigned = diagnose({ signature: undefined, timestamp: undefined });
      expect(unsigned.summary).toMatch(/^invalid \(missing_signature\): .*\. Also, there is no x-timestamp\. Pinwheel sends/);
    });

    it("says an unsigned request was not sent by Pinwheel", () => {
      const report = diagnose({ signature: undefined });
      expect(report.verdict).toMatchObject({ reason: "missing_signature" });
      expect(message(report, "signature_format")).toMatch(/the request was not signed/);
    });
  });

  it("reports every mistake of a request that has several", () => {
    const report = diagnose({ signedBody: PRETTY, rawBody: COMPACT, secret: `${SECRET} `, timestamp: `${T}000` });
    expect(matched(report)).toEqual(["body_reserialized", "secret_whitespace", "timestamp_milliseconds"]);
    expect(report.explained).toBe(true);
  });

  it("takes the body as bytes, byte for byte (invalid UTF-8 included)", () => {
    const bytes = Buffer.from([0x7b, 0x22, 0x61, 0x22, 0x3a, 0xff, 0x7d]);
    const report = diagnoseWebhook({ rawBody: bytes, signature: signWebhook(SECRET, T, bytes), timestamp: String(T), secret: SECRET, now: NOW });
    expect(report.valid).toBe(true);
  });

  it("checks against this machine's clock when given no now, and says so in numbers", () => {
    const timestamp = Math.floor(Date.now() / 1000) - 30;
    const report = diagnoseWebhook({ rawBody: COMPACT, signature: signWebhook(SECRET, timestamp, COMPACT), timestamp: String(timestamp), secret: SECRET });
    expect(report.valid).toBe(true);
    expect(report.summary).not.toContain("NaN");
    expect(report.summary).toMatch(/\b(29|30|31) s\b/);
  });
});

describe("diagnoseWebhook on what a handler wired into a framework hands it", () => {
  it("explains an empty body under a well-formed signature: a middleware read the stream first", () => {
    for (const rawBody of ["", Buffer.alloc(0)]) {
      const report = diagnose({ rawBody });
      expect(report.valid).toBe(false);
      expect(report.explained).toBe(true);
      expect(report.summary).toMatch(/^invalid \(bad_signature\): .* The body is empty \(zero bytes\), and Pinwheel never sends an empty body: another middleware already read the request stream/);
      expect(report.summary).not.toContain("None of the usual mistakes");
      expect(matched(report)).toEqual(["body_reserialized"]);
    }
  });

  it("reads a timestamp and signature that came twice, joined with a comma or as headersDistinct's array, as verifyWebhook does: never NaN, never a TypeError", () => {
    const signature = signWebhook(SECRET, T, COMPACT);
    const inputs: Partial<DiagnoseInput>[] = [
      { timestamp: `${T}, ${T}` },
      { timestamp: [String(T)] as unknown as string },
      { timestamp: [String(T), String(T)] as unknown as string, signature: [signature] as unknown as string },
      { signature: `v2=${"0".repeat(64)}, ${signature}` },
    ];
    for (const input of inputs) {
      const report = diagnose(input);
      expect(report.valid, JSON.stringify(input)).toBe(true);
      expect(report.summary).not.toContain("NaN");
      expect(report.summary).toMatch(/^valid: the signature matches, and x-timestamp is 2 s behind this machine's clock/);
    }
    const differing = diagnose({ timestamp: [String(T), String(T - 1)] as unknown as string });
    expect(differing.verdict).toMatchObject({ ok: false, reason: "malformed_timestamp" });
    expect(differing.summary).not.toContain("NaN");
  });
});
