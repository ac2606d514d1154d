import { describe, expect, it } from "vitest";
import { requestLabel } from "../../src/output/requests.js";

describe("requestLabel", () => {
  it("names a request by its event, else by what was read of its request line", () => {
    expect(requestLabel({ event: "paystubs.added", method: "POST", path: "/hooks" })).toBe("paystubs.added");
    expect(requestLabel({ event: null, method: "GET", path: "/favicon.ico" })).toBe("GET /favicon.ico");
    // A slowloris answered 408 before its headers were complete: nothing of its request line is known.
    expect(requestLabel({ event: null, method: "", path: "" })).toBe("(request line not read)");
  });
});
