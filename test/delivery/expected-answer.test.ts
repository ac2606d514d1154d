import { describe, expect, it } from "vitest";
import { matchesExpectation } from "../../src/delivery/expected-answer.js";

describe("matchesExpectation", () => {
  it("takes a status by its class or its code", () => {
    expect(matchesExpectation({ statusCode: 204 }, ["2xx"])).toBe(true);
    expect(matchesExpectation({ statusCode: 409 }, ["2xx", "409"])).toBe(true);
    expect(matchesExpectation({ statusCode: 400 }, ["2xx", "409"])).toBe(false);
  });

  it("refuses no answer, and an answer cut off after its status: Pinwheel counts it a failed attempt", () => {
    expect(matchesExpectation({ statusCode: undefined, errorKind: "timeout" }, ["2xx"])).toBe(false);
    expect(matchesExpectation({ statusCode: 200, errorKind: "network" }, ["2xx"])).toBe(false);
  });
});
