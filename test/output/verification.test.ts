import { describe, expect, it } from "vitest";
import { printVerification } from "../../src/output/verification.js";
import type { WebhookDiagnosis } from "../../src/verify/diagnose.js";
import type { Subject } from "../../src/verify/subject.js";
import { capturedOutput } from "../helpers/captured-output.js";

const pasted: Subject = { body: Buffer.from("{}"), signature: "v2=00", timestamp: "1764600000", now: 1764600000000, clockLabel: "--now" };
const stored: Subject = { ...pasted, stored: { id: 3, eventId: "ev\u001b[2J", receivedAt: "2025-12-01T14:40:00.000Z", verification: "bad_signature", rejection: null } };

const failing: WebhookDiagnosis = {
  valid: false,
  verdict: { ok: false, reason: "bad_signature", message: "mismatch" },
  summary: "invalid (bad_signature): the signature does not match.",
  explained: true,
  diagnoses: [
    { code: "body_reserialized", matched: true, message: "The body was parsed and serialized again." },
    { code: "secret_whitespace", matched: false, message: "Not a secret with whitespace." },
    { code: "secret_quotes", matched: false, message: "Not a secret with whitespace." },
    { code: "clock_skew", matched: false, message: "Not the clock\u001b[0m." },
  ],
};

describe("printVerification", () => {
  it("gives the verdict, then the causes found and, once each, the mistakes ruled out", async () => {
    const { out, lines } = await capturedOutput();
    printVerification(out, failing, stored);
    expect(lines()).toEqual([
      "Request #3 (event_id ev\\x1b[2J): invalid (bad_signature): the signature does not match.",
      "",
      "Why",
      "  ✗ The body was parsed and serialized again.",
      "",
      "Checked",
      "  - Not a secret with whitespace.",
      "  - Not the clock\\x1b[0m.",
    ]);
  });

  it("for a valid request, says what else to look at in the handler, with the note on milliseconds", async () => {
    const { out, lines } = await capturedOutput();
    const valid: WebhookDiagnosis = {
      valid: true,
      verdict: { ok: true, timestamp: 1764600000 },
      summary: "valid: the signature matches.",
      explained: true,
      diagnoses: [{ code: "timestamp_milliseconds", matched: false, message: "x-timestamp is in Unix seconds." }],
    };
    printVerification(out, valid, pasted);
    expect(lines()).toEqual([
      "valid: the signature matches.",
      "",
      "If your handler still rejects it, it is not verifying these exact bytes with this secret, or it misreads the clock. x-timestamp is in Unix seconds.",
    ]);
  });

  it("for a valid request listen refused all the same (a 400 for its envelope), names that refusal instead", async () => {
    const { out, lines } = await capturedOutput();
    const valid: WebhookDiagnosis = { valid: true, verdict: { ok: true, timestamp: 1764600000 }, summary: "valid: the signature matches.", explained: true, diagnoses: [] };
    const refused: Subject = {
      ...pasted,
      stored: { id: 19, eventId: null, receivedAt: "2025-12-01T14:40:00.000Z", verification: "verified", rejection: "the envelope lacks event_id (non-empty string)" },
    };
    printVerification(out, valid, refused);
    expect(lines()).toEqual([
      "Request #19: valid: the signature matches.",
      "",
      "listen refused it all the same: the envelope lacks event_id (non-empty string). The signature is not the problem.",
    ]);
  });

  it("says when listen's verdict on arrival differs from this check's: the two were given different secrets", async () => {
    const valid: WebhookDiagnosis = { valid: true, verdict: { ok: true, timestamp: 1764600000 }, summary: "valid: the signature matches.", explained: true, diagnoses: [] };
    const refusedOnArrival: Subject = { ...pasted, stored: { id: 44, eventId: null, receivedAt: "2025-12-01T14:40:00.000Z", verification: "bad_signature", rejection: null } };
    const { out, lines } = await capturedOutput();
    printVerification(out, valid, refusedOnArrival);
    expect(lines().slice(0, 3)).toEqual([
      "Request #44: valid: the signature matches.",
      "",
      "listen refused it when it arrived (bad_signature): listen was verifying with another secret than this check's.",
    ]);
    const verifiedOnArrival: Subject = { ...refusedOnArrival, stored: { ...refusedOnArrival.stored!, verification: "verified" } };
    const { out: other, lines: otherLines } = await capturedOutput();
    printVerification(other, { ...failing, explained: false, diagnoses: [] }, verifiedOnArrival);
    expect(otherLines()).toContain("listen verified it when it arrived: listen was verifying with another secret than this check's (pass that one with --secret).");
  });

  it("leaves out the sections it has nothing for", async () => {
    const { out, lines } = await capturedOutput();
    printVerification(out, { ...failing, explained: false, diagnoses: [] }, pasted);
    expect(lines()).toEqual(["invalid (bad_signature): the signature does not match."]);
  });

  it("colours a failing verdict red and bold, and each cause's mark red", async () => {
    const { out, lines } = await capturedOutput({ color: true });
    printVerification(out, failing, pasted);
    expect(lines()[0]).toBe("\u001b[31m\u001b[1minvalid (bad_signature)\u001b[22m\u001b[39m: the signature does not match.");
    expect(lines()[3]).toBe("  \u001b[31m✗\u001b[39m The body was parsed and serialized again.");
  });
});
