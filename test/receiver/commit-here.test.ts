import { describe, expect, it } from "vitest";
import { commitHerePolicy } from "../../src/receiver/server.js";

describe("where the receiver commits", () => {
  it("commits on the main thread up to the limit, in the worker past twice the limit, and only switches back at the limit", () => {
    const open = { connections: 0 };
    const here = commitHerePolicy(open, 16);
    const at = (connections: number) => {
      open.connections = connections;
      return here();
    };
    expect([1, 10, 16, 24, 32].map(at)).toEqual([true, true, true, true, true]);
    expect(at(33)).toBe(false);
    // Between the two thresholds it keeps to the worker: switching costs each connection its page cache.
    expect([64, 32, 17].map(at)).toEqual([false, false, false]);
    expect([16, 20].map(at)).toEqual([true, true]);
  });

  it("always uses the worker with a limit of 0", () => {
    const open = { connections: 0 };
    const here = commitHerePolicy(open, 0);
    expect(here()).toBe(false);
    open.connections = 1;
    expect(here()).toBe(false);
  });
});
