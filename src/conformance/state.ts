import { Agent, request } from "undici";
import { lookupLocalhostAsLoopback } from "../loopback-lookup.js";
import { ConformanceError, NOTHING_LISTENING } from "./errors.js";

/**
 * The app's own view of what it processed, read from --state-url: a JSON count or list (bare, or
 * the one field of an object such as {"count": 3}). Comparing it before and after a duplicate
 * shows whether the handler processed the duplicate, which a 2xx alone cannot.
 */
export interface StateReading {
  /** Canonical JSON of the count or list, for comparison. */
  value: string;
  /** "3", "a list of 3": for messages. */
  text: string;
}

export type StateReader = () => Promise<StateReading>;

function measure(body: unknown): StateReading | undefined {
  if (typeof body === "number" && Number.isFinite(body)) return { value: JSON.stringify(body), text: String(body) };
  if (Array.isArray(body)) return { value: JSON.stringify(body), text: `a list of ${body.length}` };
  if (typeof body === "object" && body !== null) {
    const fields = Object.entries(body);
    const [only] = fields;
    if (only && fields.length === 1) {
      const [key, inner] = only;
      const reading = typeof inner === "object" && !Array.isArray(inner) ? undefined : measure(inner);
      if (reading) return { value: reading.value, text: `${key} ${reading.text}` };
    }
  }
  return undefined;
}

/** The most of a --state-url answer read: a count or a list of ids is far smaller, and all of it is held to parse. */
export const MAX_STATE_BYTES = 8 * 1024 * 1024;

/** The answer's text, or undefined past MAX_STATE_BYTES (the rest is not read). */
async function boundedText(body: AsyncIterable<Buffer> & { destroy(): unknown }): Promise<string | undefined> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of body) {
    size += chunk.length;
    if (size > MAX_STATE_BYTES) {
      body.destroy();
      return undefined;
    }
    chunks.push(chunk);
  }
  return Buffer.concat(chunks).toString("utf8");
}

export function stateReader(url: string, timeoutMs: number): StateReader {
  return async () => {
    let status: number;
    let text: string | undefined;
    // Its own Agent, for localhost names' lookup: the global one would ask the resolver for *.localhost.
    const dispatcher = new Agent({ connect: { lookup: lookupLocalhostAsLoopback } });
    try {
      // undici (already loaded for the deliveries) rather than the global fetch, which costs its own start-up.
      const response = await request(url, { dispatcher, signal: AbortSignal.timeout(timeoutMs), headers: { accept: "application/json" } });
      status = response.statusCode;
      text = await boundedText(response.body);
    } catch (error) {
      const name = (error as Error).name;
      const cause =
        name === "TimeoutError" || name === "AbortError"
          ? `no answer within ${timeoutMs} ms`
          : ((error as { code?: string; cause?: { code?: string } }).cause?.code ?? (error as { code?: string }).code ?? (error as Error).message);
      if (NOTHING_LISTENING.test(cause)) throw new ConformanceError("state_url", url, `nothing answered (${cause}); start your app before the suite, or check the URL's host and port`);
      throw new ConformanceError("state_url", url, `cannot read it (${cause})`);
    } finally {
      await dispatcher.destroy();
    }
    if (text === undefined) {
      throw new ConformanceError("state_url", url, `its answer is larger than ${MAX_STATE_BYTES / 1024 / 1024} MiB; answer a count instead, e.g. {"count": 3}`);
    }
    if (status < 200 || status > 299) throw new ConformanceError("state_url", url, `a GET answered ${status}; it must answer 2xx with a JSON count or list, e.g. {"count": 3}`);
    let body: unknown;
    try {
      body = JSON.parse(text);
    } catch {
      throw new ConformanceError("state_url", url, `a GET answered ${JSON.stringify(text.slice(0, 40))}, not JSON; it must answer a JSON count or list, e.g. 3, [...] or {"count": 3}`);
    }
    const reading = measure(body);
    if (!reading) throw new ConformanceError("state_url", url, `a GET answered ${JSON.stringify(text.slice(0, 60))}; it must answer a JSON count or list, e.g. 3, [...] or {"count": 3}`);
    return reading;
  };
}

/**
 * Reads the state until it differs from `from` or `settleMs` passes: a handler may answer first
 * and store a moment later (as the examples do), so one read right after the answer could miss it.
 */
export async function readAfterSettling(
  read: StateReader,
  from: StateReading,
  settleMs: number,
  sleep: (ms: number) => Promise<void>,
  clock: () => number,
): Promise<StateReading> {
  const deadline = clock() + settleMs;
  for (;;) {
    const reading = await read();
    if (reading.value !== from.value || clock() >= deadline) return reading;
    await sleep(Math.min(50, Math.max(0, deadline - clock())));
  }
}
