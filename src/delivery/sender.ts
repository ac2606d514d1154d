import { Agent } from "undici";
import { describeTransportError } from "../transport-error.js";

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
}

const RESPONSE_EXCERPT_BYTES = 2048;

function describeError(error: unknown, timeoutMs: number): Pick<AttemptResult, "errorKind" | "error"> {
  const failure = describeTransportError(error, timeoutMs);
  return { errorKind: failure.kind, error: failure.message };
}

async function readExcerpt(body: { text(): Promise<string> }): Promise<string> {
  // Read whole rather than aborted, so the keep-alive connection survives; handlers answer small bodies.
  const text = await body.text();
  return text.length > RESPONSE_EXCERPT_BYTES ? text.slice(0, RESPONSE_EXCERPT_BYTES) : text;
}

function attemptSignal(timeout: AbortSignal | undefined, stop: AbortSignal | undefined): AbortSignal | undefined {
  if (timeout && stop) return AbortSignal.any([timeout, stop]);
  return timeout ?? stop;
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
  const agent = new Agent({
    connections: options.connections ?? 64,
    keepAliveTimeout: 10_000,
    headersTimeout: options.timeoutMs,
    bodyTimeout: options.timeoutMs,
    connect: { timeout: options.timeoutMs },
  });

  const preciseTimeout = options.timeoutMs < 2000;
  // A run sends to a handful of URLs thousands of times: parse each once.
  const targets = new Map<string, { origin: string; path: string }>();
  const targetOf = (url: string) => {
    let target = targets.get(url);
    if (!target) {
      const parsed = new URL(url);
      target = { origin: parsed.origin, path: `${parsed.pathname}${parsed.search}` };
      targets.set(url, target);
    }
    return target;
  };

  return {
    async send(url, body, headers, stop) {
      const started = clock();
      const startedHr = performance.now();
      const startedAt = new Date(started).toISOString();
      const target = targetOf(url);
      try {
        const response = await agent.request({
          origin: target.origin,
          path: target.path,
          method: "POST",
          headers,
          body,
          signal: attemptSignal(preciseTimeout ? AbortSignal.timeout(options.timeoutMs) : undefined, stop),
        });
        const statusCode = response.statusCode;
        try {
          const responseBody = await readExcerpt(response.body);
          return { url, startedAt, durationMs: performance.now() - startedHr, statusCode, responseBody };
        } catch (error) {
          // The answer's status arrived; only its body failed: keep what the handler said.
          return { url, startedAt, durationMs: performance.now() - startedHr, statusCode, ...describeError(error, options.timeoutMs) };
        }
      } catch (error) {
        return { url, startedAt, durationMs: performance.now() - startedHr, ...describeError(error, options.timeoutMs) };
      }
    },
    close() {
      return agent.close();
    },
  };
}
