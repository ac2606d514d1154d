import { describe, expect, it } from "vitest";
import { answerInWords } from "../../src/delivery/answer-words.js";

describe("answerInWords, shared by smoke, the conformance suite and the MCP smoke tool", () => {
  it("gives the status, the failure when no status came, and both when the answer broke off after its status", () => {
    expect(answerInWords({ statusCode: 204 })).toBe("204");
    expect(answerInWords({ errorKind: "timeout", error: "no answer within 300 ms" })).toBe("no answer within 300 ms");
    expect(answerInWords({})).toBe("no answer");
    expect(answerInWords({ statusCode: 200, errorKind: "network", error: "UND_ERR_SOCKET: other side closed" })).toBe("200, then UND_ERR_SOCKET: other side closed");
    expect(answerInWords({ statusCode: 200, errorKind: "timeout" })).toBe("200, then no more of the answer");
  });
});
