/** The page's verdict sentence: a signed request listen refused all the same is not shown as plainly "Verified". */
import { describe, expect, it } from "vitest";
import { verdictSentence, verdictTone } from "../../src/inspector/ui/format.js";

describe("verdictSentence", () => {
  it("says a signed request that is no Pinwheel event was verified, then rejected, and why", () => {
    const rejected = { verification: "verified", verification_detail: null, rejection: "the body is not valid JSON (Unexpected token)", status_code: 400 };
    expect(verdictSentence(rejected)).toBe("Signature verified, then rejected: the body is not valid JSON (Unexpected token)");
    expect(verdictTone(rejected)).toBe("warn");
    expect(verdictSentence({ ...rejected, rejection: null })).toBe("Verified");
    expect(verdictSentence({ verification: "not_checked", verification_detail: null, rejection: "method GET is not allowed; Pinwheel delivers with POST" })).toBe(
      "Rejected: method GET is not allowed; Pinwheel delivers with POST",
    );
  });
});
