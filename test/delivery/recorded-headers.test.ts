import { describe, expect, it } from "vitest";
import { recordedHeaders, storedHeader } from "../../src/delivery/recorded-headers.js";
import type { HeaderPairs } from "../../src/store/requests.js";

const headers: HeaderPairs = [
  ["Host", "127.0.0.1:3000"],
  ["Content-Type", "application/json"],
  ["X-Pinwheel-Webhook-Id", "first-id"],
  ["x-pinwheel-webhook-id", "second-id"],
  ["Authorization", "[redacted]"],
  ["X-Trace", "a"],
  ["x-trace", "b"],
  ["Trailer", "x-checksum"],
  ["TE", "trailers"],
  ["Proxy-Connection", "keep-alive"],
];

describe("stored headers", () => {
  it("storedHeader finds a header whatever its case, and takes the first of a repeated one", () => {
    expect(storedHeader({ headers }, "x-pinwheel-webhook-id")).toBe("first-id");
    expect(storedHeader({ headers }, "CONTENT-TYPE")).toBe("application/json");
    expect(storedHeader({ headers }, "x-timestamp")).toBeUndefined();
    expect(storedHeader({ headers: [] }, "host")).toBeUndefined();
  });

  it("recordedHeaders leaves out connection headers and redacted credentials, and joins repeated ones", () => {
    expect(recordedHeaders({ headers })).toEqual({
      "content-type": "application/json",
      "x-pinwheel-webhook-id": "first-id, second-id",
      "x-trace": "a, b",
    });
  });
});
