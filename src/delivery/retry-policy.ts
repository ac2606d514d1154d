/**
 * Pinwheel's retry policy (docs/002): a 5XX, a network error or no answer within 15 s is a
 * failure; up to 5 more attempts follow, with exponential backoff and jitter, all within 15
 * minutes of the first. A 4XX is final.
 */
export const PINWHEEL_MAX_RETRIES = 5;
/** 30 s doubling five times sums to at most 930 s; the window below trims the tail to 15 min. */
export const PINWHEEL_RETRY_BASE_MS = 30_000;
const WINDOW_PER_BASE = (15 * 60 * 1000) / PINWHEEL_RETRY_BASE_MS;

export interface RetryPolicy {
  maxRetries: number;
  baseMs: number;
  /** All retries start within this many ms of the first attempt. */
  windowMs: number;
}

/** Pinwheel's schedule, or the same shape compressed: base 20 ms gives a 600 ms window. */
export function retryPolicy(baseMs = PINWHEEL_RETRY_BASE_MS): RetryPolicy {
  return { maxRetries: PINWHEEL_MAX_RETRIES, baseMs, windowMs: baseMs * WINDOW_PER_BASE };
}

export interface AttemptOutcome {
  statusCode?: number;
  errorKind?: "timeout" | "network";
}

export function isRetryable(outcome: AttemptOutcome): boolean {
  if (outcome.errorKind !== undefined) return true;
  return outcome.statusCode !== undefined && outcome.statusCode >= 500;
}

/**
 * Delay before retry number `retry` (1-based): full jitter over base * 2^(retry-1), clipped so
 * the waits add up to no more than the window. Returns undefined when the window is spent.
 * The window bounds the backoff, not the attempts' own durations: at Pinwheel's scale a 15 s
 * attempt is small beside 15 minutes, and under a compressed schedule (--retry-base 20) a slow
 * handler must still get all five retries rather than fewer as an artefact of compression.
 */
export function nextDelay(policy: RetryPolicy, retry: number, waitedMs: number, random: () => number = Math.random): number | undefined {
  if (retry > policy.maxRetries) return undefined;
  const remaining = policy.windowMs - waitedMs;
  if (remaining <= 0) return undefined;
  const ceiling = policy.baseMs * 2 ** (retry - 1);
  return Math.min(Math.floor(random() * ceiling), remaining);
}
