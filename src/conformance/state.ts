import { request } from "undici";
import { ConformanceError } from "./errors.js";

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

export function stateReader(url: string, timeoutMs: number): StateReader {
  return async () => {
    let status: number;
    let text: string;
    try {
      // undici (already loaded for the deliveries) rather than the global fetch, which costs its own start-up.
      const response = await request(url, { signal: AbortSignal.timeout(timeoutMs), headers: { accept: "application/json" } });
      status = response.statusCode;
      text = await response.body.text();
    } catch (error) {
      const cause = (error as { code?: string; cause?: { code?: string } }).cause?.code ?? (error as { code?: string }).code ?? (error as Error).message;
      throw new ConformanceError("state_url", url, `cannot read it (${cause})`);
    }
    if (status < 200 || status > 299) throw new ConformanceError("state_url", url, `a GET answered ${status}`);
    let body: unknown;
    try {
      body = JSON.parse(text);
    } catch {
      throw new ConformanceError("state_url", url, `a GET answered ${JSON.stringify(text.slice(0, 40))}, not JSON`);
    }
    const reading = measure(body);
    if (!reading) throw new ConformanceError("state_url", url, `a GET answered ${text.slice(0, 60)}; it must answer a JSON count or list, e.g. 3, [...] or {"count": 3}`);
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
