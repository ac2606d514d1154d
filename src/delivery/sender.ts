import { describeTransportError } from "../transport-error.js";
import { basicAuthorization, redactUrl } from "../redact-url.js";
import type { Dispatcher } from "undici";
import { createHttpAgent } from "./http-agent.js";
import { monotonicMs } from "../monotonic.js";

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
   * Ends every attempt in flight at once, each reported as a network error that says so
   * (ABANDONED_ATTEMPT; Ctrl+C during a run): one call, where a signal per attempt would cost every
   * send a listener.
   */
  abandon?(): Promise<void>;
}

/**
 * An attempt the sender ended itself because its run was stopped: the connection it drops would
 * otherwise be reported in the words of a server that hung up ("other side closed").
 */
export const ABANDONED_ATTEMPT: Pick<AttemptResult, "errorKind" | "error"> = {
  errorKind: "network",
  error: "abandoned: the run was stopped before an answer came",
};

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

/**
 * Gathers the answer's first 2 KiB from its chunks; past RESPONSE_DRAIN_BYTES `add` says to stop
 * reading (and drop the connection).
 */
class ExcerptReader {
  private readonly kept: Buffer[] = [];
  private keptBytes = 0;
  private read = 0;

  /** False once enough has been read: the rest is not worth the connection. */
  add(chunk: Buffer): boolean {
    if (this.keptBytes < RESPONSE_EXCERPT_BYTES) {
      const part = chunk.length > RESPONSE_EXCERPT_BYTES - this.keptBytes ? chunk.subarray(0, RESPONSE_EXCERPT_BYTES - this.keptBytes) : chunk;
      // A copy, so the excerpt does not pin the chunk it came in.
      this.kept.push(part === chunk && chunk.length < 4096 ? chunk : Buffer.from(part));
      this.keptBytes += part.length;
    }
    this.read += chunk.length;
    return this.read <= RESPONSE_DRAIN_BYTES;
  }

  text(): string {
    const bytes = this.kept.length === 1 ? (this.kept[0] as Buffer) : Buffer.concat(this.kept, this.keptBytes);
    // A character cut at the 2 KiB edge decodes as U+FFFD; drop it rather than show a false one.
    return bytes.toString("utf8").replace(/\uFFFD$/, "");
  }
}

/** The answer's first 2 KiB; the rest is never held (an app answering 200 MiB costs 2 KiB). */
export async function readExcerpt(body: AsyncIterable<Buffer> & { destroy(): unknown }): Promise<string> {
  const excerpt = new ExcerptReader();
  for await (const chunk of body) {
    if (!excerpt.add(chunk)) {
      body.destroy();
      break;
    }
  }
  return excerpt.text();
}

/** How an exchange ended: the status if it came, the excerpt if the answer was read, the error if one ended it. */
interface Exchange {
  statusCode?: number;
  responseBody?: string;
  error?: unknown;
}

type Abort = (reason?: Error) => void;

/**
 * One request on the handler interface undici's HTTP/1.1 client itself calls: the status and the
 * answer's chunks come straight to these callbacks, without the Readable stream, async iterator,
 * AsyncResource and parsed header object per answer that undici's request() adds (a handler of
 * its newer controller interface would be wrapped into this one per request). Settles once: a
 * callback after that (the error of a connection dropped on purpose) is ignored.
 */
const timedOut = () => new DOMException("The operation was aborted due to timeout", "TimeoutError");

class ExchangeHandler implements Dispatcher.DispatchHandler {
  private statusCode: number | undefined;
  private excerpt: ExcerptReader | undefined;
  private abortRequest: Abort | undefined;
  private reason: Error | undefined;
  private settled = false;
  private readonly timer: NodeJS.Timeout | undefined;
  private readonly onStop: (() => void) | undefined;
  /** monotonicMs() past which the exchange has timed out, however its bytes are still coming. */
  private readonly deadline: number;

  constructor(
    private readonly resolve: (exchange: Exchange) => void,
    private readonly stop: AbortSignal | undefined,
    timeoutMs: number,
    precise: boolean,
  ) {
    this.deadline = monotonicMs() + timeoutMs;
    if (precise) this.timer = setTimeout(() => this.abort(timedOut()), timeoutMs);
    if (stop) {
      const onStop = () => this.abort((stop.reason as Error | undefined) ?? new DOMException("This operation was aborted", "AbortError"));
      this.onStop = onStop;
      if (stop.aborted) onStop();
      else stop.addEventListener("abort", onStop, { once: true });
    }
  }

  private abort(reason: Error): void {
    this.reason ??= reason;
    if (this.abortRequest) this.abortRequest(reason);
    // Still queued behind busy connections: undici would open a connection only to end the
    // request on it, so it ends here (the sender's abandon() takes it out of the queue).
    else this.finish({ error: reason });
  }

  private finish(exchange: Exchange): void {
    if (this.settled) return;
    this.settled = true;
    if (this.timer) clearTimeout(this.timer);
    if (this.onStop) this.stop?.removeEventListener("abort", this.onStop);
    this.resolve(exchange);
  }

  onConnect(abort: Abort): void {
    if (this.reason) abort(this.reason);
    else this.abortRequest = abort;
  }

  /**
   * undici's body timeout is an idle one, which an answer trickling in never trips (nor do 1xx
   * answers every few seconds): each arrival is checked against the deadline of the whole exchange.
   */
  private pastDeadline(): boolean {
    if (monotonicMs() <= this.deadline) return false;
    this.abort(timedOut());
    return true;
  }

  onHeaders(statusCode: number): boolean {
    if (this.pastDeadline()) return false;
    // A 1xx answer is informational: the real one follows.
    if (statusCode >= 200) {
      this.statusCode = statusCode;
      this.excerpt = new ExcerptReader();
    }
    return true;
  }

  onData(chunk: Buffer): boolean {
    if (this.pastDeadline()) return false;
    if (!this.excerpt || this.excerpt.add(chunk)) return true;
    // Enough of a huge answer: keep the excerpt and drop the connection rather than read on.
    this.finish({ statusCode: this.statusCode, responseBody: this.excerpt.text() });
    this.abortRequest?.(new Error("the answer was read far enough"));
    return false;
  }

  onComplete(): void {
    this.finish({ statusCode: this.statusCode, responseBody: this.excerpt?.text() ?? "" });
  }

  onError(error: Error): void {
    this.finish({ statusCode: this.statusCode, error });
  }
}

/**
 * A keep-alive connection that the server closed as this request went out on it, before any
 * answer: a server whose idle timeout ran out just then never read the request, so it is sent once
 * more as the same attempt (as node's documentation of request.reusedSocket advises). undici says
 * "other side closed" and gives the connection's byte counts: bytes read means earlier answers
 * came on it. A connection closed before answering its first request is not sent again: the
 * handler may have run.
 */
function closedOnReuse(error: unknown): boolean {
  const { code, message, socket } = error as { code?: unknown; message?: unknown; socket?: { bytesRead?: unknown } };
  return code === "UND_ERR_SOCKET" && message === "other side closed" && typeof socket?.bytesRead === "number" && socket.bytesRead > 0;
}

export interface SenderOptions {
  timeoutMs: number;
  /** Connections per origin; keep-alive makes a burst of events cheap. */
  connections?: number;
  clock?: () => number;
}

/**
 * One undici Agent (a keep-alive pool per origin) shared by every delivery of a run. The
 * per-attempt timeout is undici's connect, headers and body timeouts, and a deadline for the whole
 * exchange checked as each part of the answer arrives (the body timeout is an idle one, which a
 * trickling answer never trips). Those timeouts tick about once a second, so a short timeout
 * (tests, compressed retries) also gets a native timer per request, which at Pinwheel's 15 s would
 * only cost time on every delivery.
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
  let abandoned = false;
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

  const exchange = (request: Dispatcher.DispatchOptions, stop: AbortSignal | undefined) =>
    new Promise<Exchange>((resolve) => {
      agent.dispatch(request, new ExchangeHandler(resolve, stop, options.timeoutMs, preciseTimeout));
    });

  return {
    async send(sentTo, body, headers, stop) {
      const started = clock();
      const startedHr = monotonicMs();
      const startedAt = new Date(started).toISOString();
      const target = targetOf(sentTo);
      const sent = target.authorization && headers.authorization === undefined ? { ...headers, authorization: target.authorization } : headers;
      const request = { origin: target.origin, path: target.path, method: "POST", headers: sent, body };
      let { statusCode, responseBody, error } = await exchange(request, stop);
      if (error !== undefined && statusCode === undefined && closedOnReuse(error) && !abandoned && !stop?.aborted) {
        ({ statusCode, responseBody, error } = await exchange(request, stop));
      }
      const durationMs = monotonicMs() - startedHr;
      if (error === undefined) return { url: target.shown, startedAt, durationMs, statusCode, responseBody };
      // When the status arrived and only the body failed, what the handler said is kept. An
      // attempt whose own signal ended it says why (listen was stopping).
      const failure = abandoned && !stop?.aborted ? ABANDONED_ATTEMPT : attemptFailure(error, options.timeoutMs);
      return statusCode === undefined
        ? { url: target.shown, startedAt, durationMs, ...failure }
        : { url: target.shown, startedAt, durationMs, statusCode, ...failure };
    },
    close() {
      return agent.close();
    },
    abandon() {
      abandoned = true;
      return agent.destroy();
    },
  };
}

