import { describe, expect, it } from "vitest";
import {
  isRetryable,
  nextDelay,
  PINWHEEL_MAX_RETRIES,
  PINWHEEL_RETRY_BASE_MS,
  retryPolicy,
  type RetryPolicy,
} from "../../src/delivery/retry-policy.js";

const FIFTEEN_MINUTES_MS = 15 * 60 * 1000;

describe("retryPolicy", () => {
  it("is Pinwheel's by default: 5 more attempts within 15 minutes", () => {
    expect(PINWHEEL_MAX_RETRIES).toBe(5);
    expect(retryPolicy()).toEqual({ maxRetries: 5, baseMs: PINWHEEL_RETRY_BASE_MS, windowMs: FIFTEEN_MINUTES_MS, attemptTimeScale: 1 });
  });

  it("compresses the window in proportion to the base", () => {
    // The 15-minute window scaled by base / Pinwheel's base: 20 ms gives 600 ms.
    expect(retryPolicy(20)).toEqual({ maxRetries: 5, baseMs: 20, windowMs: 600, attemptTimeScale: 20 / PINWHEEL_RETRY_BASE_MS });
    expect(retryPolicy(5).windowMs).toBe((FIFTEEN_MINUTES_MS * 5) / PINWHEEL_RETRY_BASE_MS);
  });

  it("lets the uncapped schedule overrun the window, so the window is what ends it", () => {
    const policy = retryPolicy();
    const ceilings = Array.from({ length: policy.maxRetries }, (_, i) => policy.baseMs * 2 ** i);
    expect(ceilings.reduce((a, b) => a + b, 0)).toBeGreaterThan(policy.windowMs);
  });
});

describe("nextDelay", () => {
  const policy: RetryPolicy = { maxRetries: 5, baseMs: 100, windowMs: 1_000_000 };
  const zero = () => 0;
  const almostOne = () => 0.999;

  it("is full jitter: 0 with random 0, just under base * 2^(n-1) with random 0.999", () => {
    for (let retry = 1; retry <= 5; retry++) {
      const ceiling = 100 * 2 ** (retry - 1);
      expect(nextDelay(policy, retry, 0, zero), `retry ${retry}`).toBe(0);
      expect(nextDelay(policy, retry, 0, almostOne), `retry ${retry}`).toBe(Math.floor(0.999 * ceiling));
      expect(nextDelay(policy, retry, 0, almostOne)).toBeLessThan(ceiling);
    }
  });

  it("grows exponentially with the retry number", () => {
    const delays = [1, 2, 3, 4, 5].map((retry) => nextDelay(policy, retry, 0, () => 0.5));
    expect(delays).toEqual([50, 100, 200, 400, 800]);
  });

  it("stays within [0, ceiling) for any random in [0, 1)", () => {
    for (const r of [0, 0.1, 0.25, 0.5, 0.75, 0.9999999]) {
      for (let retry = 1; retry <= 5; retry++) {
        const delay = nextDelay(policy, retry, 0, () => r)!;
        expect(delay).toBeGreaterThanOrEqual(0);
        expect(delay).toBeLessThan(100 * 2 ** (retry - 1));
        expect(Number.isInteger(delay)).toBe(true);
      }
    }
  });

  it("stops after 5 retries (6 attempts in all)", () => {
    expect(nextDelay(policy, 5, 0, almostOne)).toBeDefined();
    expect(nextDelay(policy, 6, 0, almostOne)).toBeUndefined();
    expect(nextDelay(policy, 7, 0, zero)).toBeUndefined();
    expect(nextDelay({ ...policy, maxRetries: 2 }, 3, 0, zero)).toBeUndefined();
  });

  it("clips a delay so the retry still starts inside the window", () => {
    const windowed: RetryPolicy = { maxRetries: 5, baseMs: 100, windowMs: 1000 };
    // Retry 5 could wait up to 1599 ms; 990 ms have gone, so at most 10 remain.
    expect(nextDelay(windowed, 5, 990, almostOne)).toBe(10);
    expect(nextDelay(windowed, 5, 990, zero)).toBe(0);
    // Not clipped when the jittered delay fits.
    expect(nextDelay(windowed, 2, 100, () => 0.5)).toBe(100);
  });

  it("gives up once the window is spent", () => {
    const windowed: RetryPolicy = { maxRetries: 5, baseMs: 100, windowMs: 1000 };
    expect(nextDelay(windowed, 1, 1000, zero)).toBeUndefined();
    expect(nextDelay(windowed, 1, 5000, zero)).toBeUndefined();
    expect(nextDelay(windowed, 1, 999, almostOne)).toBe(1);
  });

  it("with Pinwheel's own policy, every retry starts within 15 minutes even at maximum jitter", () => {
    const pinwheel = retryPolicy();
    let elapsed = 0;
    let retries = 0;
    for (let retry = 1; ; retry++) {
      const delay = nextDelay(pinwheel, retry, elapsed, almostOne);
      if (delay === undefined) break;
      elapsed += delay;
      retries++;
      expect(elapsed).toBeLessThanOrEqual(FIFTEEN_MINUTES_MS);
    }
    expect(retries).toBe(5);
  });

  it("uses Math.random when no random is given", () => {
    const delay = nextDelay(policy, 3, 0)!;
    expect(delay).toBeGreaterThanOrEqual(0);
    expect(delay).toBeLessThan(400);
  });
});

describe("isRetryable", () => {
  it("retries every 5XX", () => {
    for (const statusCode of [500, 502, 503, 504, 599]) expect(isRetryable({ statusCode }), String(statusCode)).toBe(true);
  });

  it("never retries a 4XX (final), nor a 2XX or 3XX", () => {
    for (const statusCode of [400, 401, 404, 409, 410, 422, 429, 499, 200, 204, 301, 302]) {
      expect(isRetryable({ statusCode }), String(statusCode)).toBe(false);
    }
  });

  it("retries timeouts and network errors", () => {
    expect(isRetryable({ errorKind: "timeout" })).toBe(true);
    expect(isRetryable({ errorKind: "network" })).toBe(true);
  });

  it("does not retry an outcome with neither a status nor an error", () => {
    expect(isRetryable({})).toBe(false);
  });
});
