import { describeTransportError } from "../transport-error.js";
import { basicAuthorization, redactUrl } from "../redact-url.js";
import { createHttpAgent } from "./http-agent.js";

export interface AttemptResult {
  url: string;
  startedAt: string;
  durationMs: number;
  statusCode?: number;
  errorKind?: "timeout" | "network";
  error?: string;
  /** The first 2 KiB of the answer, for showing what the handler said. */
  responseBody?: string;
}

export interface HttpSender {
  /** `signal` abandons the attempt (a shutting-down listen); it is reported as a network error. */
  send(url: string, body: Uint8Array | string, headers: Record<string, string>, signal?: AbortSignal): Promise<AttemptResult>;
  close(): Promise<void>;
  /**
   * Ends every attempt in flight at once, each reported as a network error (Ctrl+C during a run):
   * one call, where a signal per attempt would cost every send a listener.
   */
  abandon?(): Promise<void>;
}

const RESPONSE_EXCERPT_BYTES = 2048;
/**
 * Past the excerpt an answer is read and discarded, so the keep-alive connection survives a
 * handler's usual small page; beyond this much the connection is dropped instead of reading on.
 */
const RESPONSE_DRAIN_BYTES = 64 * 1024;

/** A failed attempt's kind and words. */
export function attemptFailure(error: unknown, timeoutMs: number): Pick<AttemptResult, "errorKind" | "error"> {
  const failure = describeTransportError(error, timeoutMs);
  return { errorKind: failure.kind, error: failure.message };
}

/** The answer's first 2 KiB; the rest is never held (an app answering 200 MiB costs 2 KiB). */
export async function readExcerpt(body: AsyncIterable<Buffer> & { destroy(): unknown }): Promise<string> {
  const kept: Buffer[] = [];
  let keptBytes = 0;
  let read = 0;
  for await (const chunk of body) {
    if (keptBytes < RESPONSE_EXCERPT_BYTES) {
      const part = chunk.length > RESPONSE_EXCERPT_BYTES - keptBytes ? chunk.subarray(0, RESPONSE_EXCERPT_BYTES - keptBytes) : chunk;
      // A copy, so the excerpt does not pin the chunk it came in.
      kept.push(part === chunk && chunk.length < 4096 ? chunk : Buffer.from(part));
      keptBytes += part.length;
    }
    read += chunk.length;
    if (read > RESPONSE_DRAIN_BYTES) {
      body.destroy();
      break;
    }
  }
  // A character cut at the 2 KiB edge decodes as U+FFFD; drop it rather than show a false one.
  return Buffer.concat(kept, keptBytes).toString("utf8").replace(/\uFFFD$/, "");
}

/**
 * One signal for an attempt: a short timeout's own timer and the caller's stop. Not
 * AbortSignal.any: on Node 20 a combined signal can lose a timeout signal nothing else holds,
 * and the attempt then waits for undici's one-second tick (a 200 ms timeout took 1,014 ms).
 */
function attemptSignal(timeoutMs: number | undefined, stop: AbortSignal | undefined): { signal?: AbortSignal; done(): void } {
  if (timeoutMs === undefined || !stop) return { signal: timeoutMs === undefined ? stop : AbortSignal.timeout(timeoutMs), done: () => {} };
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(new DOMException("The operation was aborted due to timeout", "TimeoutError")), timeoutMs);
  const onStop = () => controller.abort(stop.reason);
  if (stop.aborted) onStop();
  else stop.addEventListener("abort", onStop, { once: true });
  return {
    signal: controller.signal,
    done() {
      clearTimeout(timer);
      stop.removeEventListener("abort", onStop);
    },
  };
}

export interface SenderOptions {
  timeoutMs: number;
  /** Connections per origin; keep-alive makes a burst of events cheap. */
  connections?: number;
  clock?: () => number;
}

/**
 * One undici Agent (a keep-alive pool per origin) shared by every delivery of a run. The
 * per-attempt timeout is undici's connect, headers and body timeouts; those tick about once a
 * second, so a short timeout (tests, compressed retries) also gets a native timer per request,
 * which at Pinwheel's 15 s would only cost time on every delivery.
 */
export function createSender(options: SenderOptions): HttpSender {
  const clock = options.clock ?? Date.now;
  const agent = createHttpAgent({
    connections: options.connections ?? 64,
    keepAliveTimeout: 10_000,
    headersTimeout: options.timeoutMs,
    bodyTimeout: options.timeoutMs,
    connect: { timeout: options.timeoutMs },
  });

  const preciseTimeout = options.timeoutMs < 2000;
  // A run sends to a handful of URLs thousands of times: parse each once.
  const targets = new Map<string, { origin: string; path: string; shown: string; authorization?: string }>();
  const targetOf = (url: string) => {
    let target = targets.get(url);
    if (!target) {
      const parsed = new URL(url);
      // Credentials in the URL are sent as HTTP Basic (as curl does) and never reported back.
      target = { origin: parsed.origin, path: `${parsed.pathname}${parsed.search}`, shown: redactUrl(url), authorization: basicAuthorization(parsed) };
      targets.set(url, target);
    }
    return target;
  };

  return {
    async send(sentTo, body, headers, stop) {
      const started = clock();
      const startedHr = performance.now();
      const startedAt = new Date(started).toISOString();
      const target = targetOf(sentTo);
      const url = target.shown;
      const abort = attemptSignal(preciseTimeout ? options.timeoutMs : undefined, stop);
      try {
        const response = await agent.request({
          origin: target.origin,
          path: target.path,
          method: "POST",
          headers: target.authorization && headers.authorization === undefined ? { ...headers, authorization: target.authorization } : headers,
          body,
          signal: abort.signal,
        });
        const statusCode = response.statusCode;
        try {
          const responseBody = await readExcerpt(response.body);
          return { url, startedAt, durationMs: performance.now() - startedHr, statusCode, responseBody };
        } catch (error) {
          // The answer's status arrived; only its body failed: keep what the handler said.
          return { url, startedAt, durationMs: performance.now() - startedHr, statusCode, ...attemptFailure(error, options.timeoutMs) };
        }
      } catch (error) {
        return { url, startedAt, durationMs: performance.now() - startedHr, ...attemptFailure(error, options.timeoutMs) };
      } finally {
        abort.done();
      }
    },
    close() {
      return agent.close();
    },
    abandon() {
      return agent.destroy();
    },
  };
}

