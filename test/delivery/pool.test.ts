import { describe, expect, it } from "vitest";
import { runPool } from "../../src/delivery/pool.js";

const tick = () => new Promise<void>((resolve) => setTimeout(resolve, 1));

describe("runPool", () => {
  it("runs every index once, starting them in order, with at most `concurrency` in flight", async () => {
    let inFlight = 0;
    let peak = 0;
    const started: number[] = [];
    await runPool(25, 4, async (index) => {
      started.push(index);
      inFlight++;
      peak = Math.max(peak, inFlight);
      await tick();
      inFlight--;
    });
    expect(started).toEqual(Array.from({ length: 25 }, (_, i) => i));
    expect(peak).toBe(4);
  });

  it("with concurrency 1 runs one at a time", async () => {
    const log: string[] = [];
    await runPool(3, 1, async (index) => {
      log.push(`start ${index}`);
      await tick();
      log.push(`end ${index}`);
    });
    expect(log).toEqual(["start 0", "end 0", "start 1", "end 1", "start 2", "end 2"]);
  });

  it("does nothing for zero items and never starts more lanes than items", async () => {
    let calls = 0;
    await runPool(0, 8, async () => void calls++);
    expect(calls).toBe(0);
    let inFlight = 0;
    let peak = 0;
    await runPool(2, 64, async () => {
      peak = Math.max(peak, ++inFlight);
      await tick();
      inFlight--;
    });
    expect(peak).toBe(2);
  });

  it("takes no more indexes once `stopped` says so: a run that stops after three unanswered deliveries does not walk the rest of ten million", async () => {
    const started: number[] = [];
    const began = performance.now();
    await runPool(
      10_000_000,
      2,
      async (index) => {
        started.push(index);
        await tick();
      },
      () => started.length >= 3,
    );
    expect(started).toEqual([0, 1, 2]);
    expect(performance.now() - began).toBeLessThan(1000);
  });

  it("rejects when a worker throws", async () => {
    await expect(
      runPool(3, 2, async (index) => {
        if (index === 1) throw new Error("worker 1 failed");
      }),
    ).rejects.toThrow("worker 1 failed");
  });
});
