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
  /** Every retry starts within this many ms of the start of the first attempt. */
  windowMs: number;
  /**
   * How much of an attempt's own duration counts against the window (default 1: all of it, as at
   * Pinwheel). A compressed schedule compresses the attempts' time by the same ratio, so that a
   * slow handler still gets its five retries under --retry-base 20 instead of fewer as an
   * artefact of compression.
   */
  attemptTimeScale?: number;
}

/** Pinwheel's schedule, or the same shape compressed: base 20 ms gives a 600 ms window. */
export function retryPolicy(baseMs = PINWHEEL_RETRY_BASE_MS): RetryPolicy {
  return { maxRetries: PINWHEEL_MAX_RETRIES, baseMs, windowMs: baseMs * WINDOW_PER_BASE, attemptTimeScale: baseMs / PINWHEEL_RETRY_BASE_MS };
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
 * the retry starts inside the window. `elapsedMs` is the time since the first attempt started:
 * the waits so far and the attempts' own durations (scaled by attemptTimeScale), since "up to 5
 * subsequent delivery attempts ... in the 15 minutes following the initial delivery attempt"
 * bounds when a retry starts, however long the attempts before it took (6 timeouts are 90 s).
 * Returns undefined when the window is spent.
 */
export function nextDelay(policy: RetryPolicy, retry: number, elapsedMs: number, random: () => number = Math.random): number | undefined {
  if (retry > policy.maxRetries) return undefined;
  const remaining = policy.windowMs - elapsedMs;
  if (remaining <= 0) return undefined;
  const ceiling = policy.baseMs * 2 ** (retry - 1);
  return Math.min(Math.floor(random() * ceiling), remaining);
}
