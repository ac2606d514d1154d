import { describe, expect, it } from "vitest";
import { replayRefusal } from "../../src/delivery/replay-error.js";

describe("replayRefusal: the one rule for sending a stored request again (replay, replay_request, the page)", () => {
  const verified = { id: 1, bodyTruncated: false, verification: "verified" };
  const forged = { id: 2, bodyTruncated: false, verification: "bad_signature" };

  it("a verified request whose body is stored whole may be sent", () => {
    expect(replayRefusal(verified, false)).toBeUndefined();
  });

  it("a body not stored whole is refused even when unverified ones are allowed", () => {
    expect(replayRefusal({ ...verified, bodyTruncated: true }, true)).toEqual({ kind: "body_truncated", requestId: 1 });
  });

  it("one not verified when it arrived is refused unless allowed, naming its verdict", () => {
    expect(replayRefusal(forged, false)).toEqual({ kind: "unverified", requestId: 2, verification: "bad_signature" });
    expect(replayRefusal(forged, true)).toBeUndefined();
  });
});
