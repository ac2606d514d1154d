/** The page's address (after the #): what it keeps, and what it drops without an error. */
import { describe, expect, it } from "vitest";
import { formatAddress, MAX_SEARCH_LENGTH, parseAddress } from "../../src/inspector/ui/address.js";

const choices = { events: new Set(["income.added", "paystubs.added"]), verdicts: new Set(["verified", "failed", "bad_signature"]) };
const none = { event: "", verdict: "", text: "" };

describe("the inspector page's address", () => {
  it("reads the filters and the request opened, and writes them back the same", () => {
    const hash = "#/requests/42?event=income.added&verdict=failed&q=acct+1%2F2";
    const address = parseAddress(hash, choices);
    expect(address).toEqual({ filters: { event: "income.added", verdict: "failed", text: "acct 1/2" }, request: 42 });
    expect(formatAddress(address)).toBe(hash);
  });

  it("keeps the old form #/requests/<id>, and writes nothing for the plain page", () => {
    expect(parseAddress("#/requests/7", choices)).toEqual({ filters: none, request: 7 });
    expect(formatAddress({ filters: none, request: null })).toBe("");
    expect(formatAddress({ filters: { ...none, verdict: "verified" }, request: null })).toBe("#/?verdict=verified");
  });

  it("drops what the page does not offer, never throwing", () => {
    for (const hash of ["", "#", "#/", "#junk", "#/requests/", "#/requests/abc", "#/requests/1234567890123456", "#/requests/4/x", "#?%", "#/?q=%E0%A4%A&event=%"]) {
      expect(() => parseAddress(hash, choices), hash).not.toThrow();
      expect(parseAddress(hash, choices).request, hash).toBeNull();
    }
    const address = parseAddress(`#/requests/3?event=nope&verdict=Verified&q=${"x".repeat(MAX_SEARCH_LENGTH + 1)}&token=abc&zzz=1`, choices);
    expect(address).toEqual({ filters: none, request: 3 });
    expect(formatAddress(address)).toBe("#/requests/3");
    expect(parseAddress(`#/?q=%20${"y".repeat(MAX_SEARCH_LENGTH)}%20`, choices).filters.text).toBe("y".repeat(MAX_SEARCH_LENGTH));
  });
});
