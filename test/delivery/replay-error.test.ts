import { describe, expect, it } from "vitest";
import { replayRefusal } from "../../src/delivery/replay-error.js";

describe("replayRefusal: the one rule for sending a stored request again (replay, replay_request, the page)", () => {
  const verified = { id: 1, bodyTruncated: false, verification: "verified", rejection: null };
  const forged = { id: 2, bodyTruncated: false, verification: "bad_signature", rejection: null };

  it("a verified request whose body is stored whole may be sent", () => {
    expect(replayRefusal(verified, { unverified: false, rejected: false })).toBeUndefined();
  });

  it("a body not stored whole is refused even when unverified ones are allowed", () => {
    expect(replayRefusal({ ...verified, bodyTruncated: true }, { unverified: true, rejected: true })).toEqual({ kind: "body_truncated", requestId: 1 });
  });

  it("one not verified when it arrived is refused unless allowed, naming its verdict", () => {
    expect(replayRefusal(forged, { unverified: false, rejected: true })).toEqual({ kind: "unverified", requestId: 2, verification: "bad_signature" });
    expect(replayRefusal(forged, { unverified: true, rejected: false })).toBeUndefined();
  });

  it("one listen rejected after its signature verified (not a Pinwheel event) is refused unless allowed, naming why listen rejected it", () => {
    const notJson = { id: 3, bodyTruncated: false, verification: "verified", rejection: "the body is not valid JSON (Unexpected token)" };
    expect(replayRefusal(notJson, { unverified: true, rejected: false })).toEqual({ kind: "rejected", requestId: 3, rejection: notJson.rejection });
    expect(replayRefusal(notJson, { unverified: false, rejected: true })).toBeUndefined();
    // Refused before or by verification, it is unverified first: --include-unverified is what sends it.
    expect(replayRefusal({ ...forged, rejection: "method GET is not allowed" }, { unverified: false, rejected: true })).toMatchObject({ kind: "unverified" });
    expect(replayRefusal({ ...forged, rejection: "method GET is not allowed" }, { unverified: true, rejected: false })).toBeUndefined();
  });
});
