import { describe, expect, it } from "vitest";
import { findRequest, MissingRequestError } from "../../src/store/missing-request.js";
import type { StoredRequest } from "../../src/store/requests.js";
import { thrown } from "../helpers/thrown.js";

describe("findRequest", () => {
  it("gives the stored request a reference names, and says which reference named none without naming a command", () => {
    const stored = { id: 7 } as StoredRequest;
    const store = { find: (reference: string) => (reference === "7" ? stored : undefined) };
    expect(findRequest(store, "7")).toBe(stored);
    const missing = thrown(() => findRequest(store, "evt-x"));
    expect(missing).toBeInstanceOf(MissingRequestError);
    expect(missing).toMatchObject({ reference: "evt-x", message: 'no stored request with id or event_id "evt-x"' });
  });
});
