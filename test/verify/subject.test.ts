import { describe, expect, it } from "vitest";
import type { StoredRequest } from "../../src/store/requests.js";
import { parseNow, rawSubject, storedSubject } from "../../src/verify/subject.js";
import { SubjectError } from "../../src/verify/subject-error.js";
import { storedRow } from "../helpers/stored-requests.js";
import { thrown } from "../helpers/thrown.js";

const stored = (fields: Partial<StoredRequest> = {}): StoredRequest => ({
  ...storedRow("evt-1", {
    receivedAt: "2026-11-23T10:00:00.000Z",
    headers: [["X-Pinwheel-Signature", "v2=ab"], ["x-timestamp", "1795427990"], ["x-pinwheel-signature", "v2=later"]],
  }),
  id: 7,
  duplicate: false,
  ...fields,
});

describe("parseNow", () => {
  it("reads an ISO date/time, Unix seconds, and milliseconds too large to be seconds", () => {
    expect(parseNow("2026-11-23T10:00:00Z")).toBe(Date.UTC(2026, 10, 23, 10));
    expect(parseNow(" 1795428000 ")).toBe(1_795_428_000_000);
    expect(parseNow("1795428000000")).toBe(1_795_428_000_000);
  });

  it("refuses anything else with the value as data, naming no flag", () => {
    const error = thrown(() => parseNow("yesterday"));
    expect(error).toBeInstanceOf(SubjectError);
    expect((error as SubjectError).data).toEqual({ kind: "unreadable_now", value: "yesterday" });
    expect((error as Error).message).toBe("yesterday: expected an ISO date/time such as 2026-11-23T10:00:00Z, or Unix seconds");
  });
});

describe("the subject of a check", () => {
  it("a pasted request is checked against this machine's clock, or the given time under the adapter's name for it", () => {
    const body = Buffer.from("{}");
    expect(rawSubject(body, "v2=ab", "1", undefined)).toMatchObject({ body, signature: "v2=ab", timestamp: "1", clockLabel: "this machine's clock" });
    expect(rawSubject(body, undefined, undefined, { value: "1795428000", label: "--now" })).toMatchObject({ now: 1_795_428_000_000, clockLabel: "--now" });
  });

  it("a stored request is checked against the time it was received, with the first of each signature header", () => {
    const request = stored();
    expect(storedSubject(request, undefined)).toEqual({
      body: request.body,
      signature: "v2=ab",
      timestamp: "1795427990",
      now: Date.UTC(2026, 10, 23, 10),
      clockLabel: "the time it was received (2026-11-23T10:00:00.000Z)",
      stored: { id: 7, eventId: "evt-1", receivedAt: "2026-11-23T10:00:00.000Z", verification: request.verification, rejection: null },
    });
    expect(storedSubject(stored(), { value: "2026-11-24T00:00:00Z", label: "the given now" })).toMatchObject({ now: Date.UTC(2026, 10, 24), clockLabel: "the given now" });
  });

  it("a stored request whose body was cut short cannot be checked, before any given time is read", () => {
    const error = thrown(() => storedSubject(stored({ bodyTruncated: true, bodySize: 2_000_000 }), { value: "not a time", label: "--now" }));
    expect((error as SubjectError).data).toEqual({ kind: "body_truncated", requestId: 7, bodySize: 2_000_000 });
    expect((error as Error).message).toBe("request #7's body was stored truncated (2000000 bytes received), so its signature cannot be checked");
  });
});
