import { describe, expect, it } from "vitest";
import { isLoopbackHost } from "../src/loopback.js";

describe("isLoopbackHost, shared by listen, the local registry and the inspector", () => {
  it("accepts localhost and its subdomains, 127.0.0.0/8 and ::1 (bracketed or not)", () => {
    for (const host of ["localhost", "LOCALHOST", "app.localhost", "127.0.0.1", "127.1.2.3", "::1", "[::1]"]) expect(isLoopbackHost(host), host).toBe(true);
  });

  it("refuses every other name and address", () => {
    for (const host of ["0.0.0.0", "::", "example.com", "localhost.example.com", "128.0.0.1", "127.0.0", "10.0.0.1", "[::2]", ""]) expect(isLoopbackHost(host), host).toBe(false);
  });
});
