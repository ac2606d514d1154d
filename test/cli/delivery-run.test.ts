/** The one line a failed simulate or replay ends with: how many failed, and the usual cause of the first. */
import { Writable } from "node:stream";
import { describe, expect, it } from "vitest";
import type { TerminalSettings } from "../../src/config.js";
import { summarize, type SentBodies } from "../../src/cli/delivery-run.js";
import type { DeliveryReport, NumberedAttempt } from "../../src/delivery/deliver.js";
import { createOutput } from "../../src/output/index.js";

const plain: TerminalSettings = { color: false, stdoutIsTty: false, stderrIsTty: false, stdinIsTty: false, ci: true, debug: false };
const sink = () => new Writable({ write: (_chunk, _encoding, callback) => callback() });

function failedWith(final: Partial<NumberedAttempt>): DeliveryReport {
  const attempt: NumberedAttempt = { url: "http://no-such-host.example/hook", startedAt: "2026-01-01T00:00:00.000Z", durationMs: 3, attempt: 1, ok: false, ...final };
  return { ok: false, attempts: [attempt], final: attempt };
}

function lineFor(final: Partial<NumberedAttempt>, notSent = 0, sent?: SentBodies): string | undefined {
  const out = createOutput({ json: true }, { stdout: sink(), stderr: sink() }, plain);
  return summarize(out, { sent: 1, failed: [failedWith(final)], seconds: 0.1, notSent, timeoutMs: 200 }, "http://no-such-host.example/hook", { verbose: false, sent });
}

describe("the failure line of a delivery run", () => {
  it("says that a host name does not resolve, whether DNS answered no (ENOTFOUND) or not at all (EAI_AGAIN)", () => {
    for (const error of ["getaddrinfo ENOTFOUND no-such-host.example", "getaddrinfo EAI_AGAIN no-such-host.example"]) {
      expect(lineFor({ errorKind: "network", error })).toBe("1 of 1 deliveries failed; the host name of http://no-such-host.example/hook does not resolve (is it spelled right?)");
    }
  });

  it("keeps its other hints: nothing listening, a refused signature, and none for a 5XX (Pinwheel retries it)", () => {
    expect(lineFor({ errorKind: "network", error: "connect ECONNREFUSED 127.0.0.1:9" })).toMatch(/; nothing is listening at /);
    expect(lineFor({ statusCode: 401 })).toMatch(/; the receiver refused the signature/);
    expect(lineFor({ statusCode: 500 })).toBe("1 of 1 deliveries failed");
    expect(lineFor({ statusCode: 503 }, 0, "data-file")).toBe("1 of 1 deliveries failed");
  });

  it("a redirect says Pinwheel does not follow one and asks for the URL it redirects to", () => {
    for (const statusCode of [301, 308]) {
      expect(lineFor({ statusCode })).toBe(
        "1 of 1 deliveries failed; the app answered with a redirect: Pinwheel is not documented to follow one, and retries only a 5XX or a network error " +
          "(register the URL it redirects to: a trailing slash? https?)",
      );
    }
  });

  it("a 404 or 405 asks whether the path is the webhook route", () => {
    for (const statusCode of [404, 405]) {
      expect(lineFor({ statusCode })).toBe("1 of 1 deliveries failed; nothing at http://no-such-host.example/hook takes the POST (is that path your webhook route?)");
    }
  });

  it("another 4XX says that a genuine event answered so is lost, naming a --data body as what was refused", () => {
    expect(lineFor({ statusCode: 400 })).toBe(
      "1 of 1 deliveries failed; the app refused a signed event (Pinwheel never retries a 4XX, so a genuine event answered 400 is lost: " +
        "answer 2XX to every event that passes verification; smoke --suite conformance checks it)",
    );
    expect(lineFor({ statusCode: 422 }, 0, "data-file")).toBe(
      "1 of 1 deliveries failed; the app refused your --data body (Pinwheel never retries a 4XX, so a genuine event answered 422 is lost)",
    );
  });

  it("a refused TLS certificate says how to trust it, as listen's forward warning does", () => {
    expect(lineFor({ errorKind: "network", error: "DEPTH_ZERO_SELF_SIGNED_CERT: self-signed certificate" })).toMatch(
      /^1 of 1 deliveries failed; the app's TLS certificate was refused: Node does not trust it .*NODE_EXTRA_CA_CERTS=<ca\.pem>/,
    );
  });

  it("a 4XX to a request sent as recorded blames its stale timestamp, not the secret", () => {
    const out = createOutput({ json: true }, { stdout: sink(), stderr: sink() }, plain);
    const summary = { sent: 1, failed: [failedWith({ statusCode: 401 })], seconds: 0.1, notSent: 0, timeoutMs: 200 };
    expect(summarize(out, summary, "http://127.0.0.1:9/", { verbose: false, sent: "as-recorded" })).toBe(
      "1 of 1 deliveries failed; sent as recorded, with its original x-timestamp and signature: a handler that checks freshness refuses a stale one, as it should (re-signed, it gets a fresh timestamp)",
    );
    expect(summarize(out, summary, "http://127.0.0.1:9/", { verbose: false })).toMatch(/; the receiver refused the signature/);
  });

  it("a 4XX to a request sent as recorded whose signature or timestamp no secret verifies says so, and how to send it re-signed", () => {
    const out = createOutput({ json: true }, { stdout: sink(), stderr: sink() }, plain);
    const malformed = { ...failedWith({ statusCode: 401 }), recordedVerification: "malformed_signature" };
    const summary = { sent: 1, failed: [malformed], seconds: 0.1, notSent: 0, timeoutMs: 200 };
    expect(summarize(out, summary, "http://127.0.0.1:9/", { verbose: false, sent: "as-recorded" })).toBe(
      "1 of 1 deliveries failed; the original request carried a malformed x-pinwheel-signature, and sent as recorded so does its replay: " +
        "no secret verifies it, so the app refusing it is expected (to send it re-signed, replay it without --as-recorded, with --include-unverified)",
    );
    const names = { asRecorded: '"as_recorded"', includeUnverified: '"include_unverified"' };
    expect(summarize(out, summary, "http://127.0.0.1:9/", { verbose: false, sent: "as-recorded", names })).toMatch(
      /; the original request carried a malformed x-pinwheel-signature, .*replay it without "as_recorded", with "include_unverified"\)$/,
    );
    for (const [verification, carried] of [
      ["missing_signature", "carried no x-pinwheel-signature"],
      ["missing_timestamp", "carried no x-timestamp"],
      ["malformed_timestamp", "carried a malformed x-timestamp"],
    ]) {
      const failed = [{ ...failedWith({ statusCode: 400 }), recordedVerification: verification }];
      expect(summarize(out, { ...summary, failed }, "http://127.0.0.1:9/", { verbose: false, sent: "as-recorded" })).toContain(`; the original request ${carried}, `);
    }
    // One that did not verify on arrival carries the same signature now.
    const bad = [{ ...failedWith({ statusCode: 401 }), recordedVerification: "bad_signature" }];
    expect(summarize(out, { ...summary, failed: bad }, "http://127.0.0.1:9/", { verbose: false, sent: "as-recorded" })).toBe(
      "1 of 1 deliveries failed; the original request's signature did not verify when it arrived (made with another secret, or over other bytes), and sent as recorded its replay carries it: " +
        "the app refusing it is expected (to send it re-signed, replay it without --as-recorded, with --include-unverified)",
    );
    // One whose only fault was its age: its old timestamp is the usual cause.
    const stale = [{ ...failedWith({ statusCode: 401 }), recordedVerification: "stale_timestamp" }];
    expect(summarize(out, { ...summary, failed: stale }, "http://127.0.0.1:9/", { verbose: false, sent: "as-recorded" })).toMatch(/; sent as recorded, with its original x-timestamp and signature: /);
    // One that verified and was sent while still fresh (a staler one passes on a 4XX): it should have passed.
    const fresh = [{ ...failedWith({ statusCode: 401 }), recordedVerification: "verified" }];
    expect(summarize(out, { ...summary, failed: fresh }, "http://127.0.0.1:9/", { verbose: false, sent: "as-recorded" })).toMatch(
      /; sent as recorded within 5 minutes of its x-timestamp, with the signature listen verified: the app refused what should pass/,
    );
  });

  it("a run that stopped because the app stopped answering says so, and how many were not sent", () => {
    const timedOut = { errorKind: "timeout", error: "no answer within 200 ms" } as const;
    expect(lineFor(timedOut, 1)).toBe("1 of 1 deliveries failed, and 1 was not sent: 3 in a row got no answer within 200 ms (is the app stuck?)");
    expect(lineFor(timedOut, 7)).toBe("1 of 1 deliveries failed, and 7 were not sent: 3 in a row got no answer within 200 ms (is the app stuck?)");
  });
});
