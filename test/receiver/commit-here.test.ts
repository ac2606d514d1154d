import { describe, expect, it } from "vitest";
import { commitPlacementPolicy } from "../../src/receiver/server.js";

describe("where the receiver commits", () => {
  it("waits for the fsync on the main thread up to the limit, has it done aside past twice the limit, and only switches back at the limit", () => {
    const open = { connections: 0 };
    const placement = commitPlacementPolicy(open, 16);
    const at = (connections: number) => {
      open.connections = connections;
      return placement();
    };
    expect([1, 10, 16, 24, 32].map(at)).toEqual(["here", "here", "here", "here", "here"]);
    expect(at(33)).toBe("overlapped");
    // Between the two thresholds it keeps to the fsync aside: switching back and forth would only add wake-ups.
    expect([64, 32, 17].map(at)).toEqual(["overlapped", "overlapped", "overlapped"]);
    expect([16, 20].map(at)).toEqual(["here", "here"]);
  });

  it("always has the fsync done aside with a limit of 0", () => {
    const open = { connections: 0 };
    const placement = commitPlacementPolicy(open, 0);
    expect(placement()).toBe("overlapped");
    open.connections = 1;
    expect(placement()).toBe("overlapped");
  });
});
