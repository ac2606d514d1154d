import { setTimeout as wait } from "node:timers/promises";
import { signedHeaders } from "../signing.js";
import { defined } from "../invariant.js";
import { isSuccess } from "./attempt-json.js";
import { isRetryable, nextDelay, type RetryPolicy } from "./retry-policy.js";
import type { AttemptResult, HttpSender } from "./sender.js";

export interface DeliveryJob {
  url: string;
  body: Uint8Array | string;
  secret: string;
  webhookId?: string;
  /** Sent instead of fresh Pinwheel headers: replay --as-recorded keeps the original signature. */
  recordedHeaders?: Record<string, string>;
  /** Sent beside fresh Pinwheel headers (listen's forwards carry a marker that finds a loop). */
  extraHeaders?: Record<string, string>;
}

export interface NumberedAttempt extends AttemptResult {
  attempt: number;
  ok: boolean;
}

export interface DeliveryReport {
  ok: boolean;
  attempts: NumberedAttempt[];
  final: NumberedAttempt;
}

export interface DeliverOptions {
  retry?: RetryPolicy;
  clock?: () => number;
  /** Resolves after `ms`, or rejects once `signal` aborts. */
  sleep?: (ms: number, signal?: AbortSignal) => Promise<void>;
  random?: () => number;
  /** Abandons the delivery: the attempt in flight and any retry still to come (a listen shutting down). */
  signal?: AbortSignal;
  onAttempt?(attempt: NumberedAttempt): void;
  /** Before each wait: which retry is next and how long until it. */
  onWait?(nextAttempt: number, delayMs: number): void;
}

const defaultSleep = (ms: number, signal?: AbortSignal) => wait(ms, undefined, { signal });

export { isSuccess };

/**
 * The sender's result is this attempt's own object: numbered in place, as an object spread (V8's
 * slow path, once per attempt) would cost a copy.
 */
function numbered(result: AttemptResult, attempt: number): NumberedAttempt {
  const numberedResult = result as NumberedAttempt;
  numberedResult.attempt = attempt;
  // A 2xx whose answer then broke off or timed out is no success: Pinwheel would not see it end.
  numberedResult.ok = isSuccess(result.statusCode) && result.errorKind === undefined;
  return numberedResult;
}

/**
 * One delivery as Pinwheel makes it: the same body and event_id on every attempt, a fresh
 * x-timestamp and signature each time, and retries only where the policy says so.
 */
export async function deliver(sender: HttpSender, job: DeliveryJob, options: DeliverOptions = {}): Promise<DeliveryReport> {
  const clock = options.clock ?? Date.now;
  const sleep = options.sleep ?? defaultSleep;
  let waited = 0;
  let attemptsMs = 0;
  const attempts: NumberedAttempt[] = [];
  for (let number = 1; ; number++) {
    const startedAt = clock();
    const headers =
      job.recordedHeaders ??
      signedHeaders(job.secret, job.body, { timestamp: Math.floor(startedAt / 1000), webhookId: job.webhookId });
    if (job.extraHeaders && !job.recordedHeaders) Object.assign(headers, job.extraHeaders);
    const attempt = numbered(await sender.send(job.url, job.body, headers, options.signal), number);
    attempts.push(attempt);
    options.onAttempt?.(attempt);
    if (attempt.ok || !options.retry || !isRetryable(attempt) || options.signal?.aborted) break;
    attemptsMs += Math.max(0, clock() - startedAt);
    const elapsed = waited + attemptsMs * (options.retry.attemptTimeScale ?? 1);
    const delay = nextDelay(options.retry, number, elapsed, options.random);
    if (delay === undefined) break;
    waited += delay;
    options.onWait?.(number + 1, delay);
    try {
      await sleep(delay, options.signal);
    } catch (error) {
      if (options.signal?.aborted) break;
      throw error;
    }
  }
  const final = defined(attempts.at(-1), "the last delivery attempt");
  return { ok: final.ok, attempts, final };
}
