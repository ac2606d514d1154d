/**
 * A real HTTP endpoint for tests that send webhooks: it records every request (raw body bytes)
 * and answers as a per-request script says. Binds 127.0.0.1 on a free port.
 */
import { createServer, type IncomingHttpHeaders } from "node:http";
import { afterEach } from "vitest";
import type { AddressInfo } from "node:net";

export interface RecordedRequest {
  method: string;
  /** Path and query, as sent. */
  url: string;
  headers: IncomingHttpHeaders;
  /** The exact bytes received. */
  body: Buffer;
  /** Date.now() when the body had been read completely. */
  receivedAt: number;
  /** Requests read and not yet answered when this one had been read, this one included. */
  inFlight: number;
}

/**
 * How to answer request number `requestIndex` (0 for the first): a status, optionally after delayMs,
 * or once `holdUntil` requests have arrived (delayMs then caps the wait), which lets a test see
 * concurrency without timing it.
 */
export type ResponseScript = (requestIndex: number) => { status: number; delayMs?: number; holdUntil?: number };

export interface RecordingServer {
  /** e.g. http://127.0.0.1:41234/ */
  url: string;
  /** Every request received so far, in arrival order. */
  requests: RecordedRequest[];
  /** Stops listening and destroys open connections (delayed answers included), so nothing hangs. */
  close(): Promise<void>;
}

/** Starts the server; without a script every request is answered 200 at once. */
export async function startRecordingServer(script: ResponseScript = () => ({ status: 200 })): Promise<RecordingServer> {
  const requests: RecordedRequest[] = [];
  const timers = new Set<NodeJS.Timeout>();
  const held: { arrivals: number; release: () => void }[] = [];
  let count = 0;
  let unanswered = 0;

  const releaseHeld = () => {
    const ready = held.filter((entry) => requests.length >= entry.arrivals);
    for (const entry of ready) {
      held.splice(held.indexOf(entry), 1);
      entry.release();
    }
  };

  const server = createServer((request, response) => {
    const index = count++;
    const chunks: Buffer[] = [];
    request.on("data", (chunk: Buffer) => chunks.push(chunk));
    request.on("end", () => {
      unanswered++;
      requests.push({
        method: request.method ?? "",
        url: request.url ?? "",
        headers: request.headers,
        body: Buffer.concat(chunks),
        receivedAt: Date.now(),
        inFlight: unanswered,
      });
      const { status, delayMs = 0, holdUntil } = script(index);
      let replied = false;
      const reply = () => {
        if (replied) return;
        replied = true;
        unanswered--;
        if (response.destroyed) return;
        // 204 and 304 carry no body by definition.
        if (status === 204 || status === 304) {
          response.writeHead(status);
          response.end();
          return;
        }
        const text = JSON.stringify({ recorded: index });
        response.writeHead(status, { "content-type": "application/json", "content-length": Buffer.byteLength(text) });
        response.end(text);
      };
      releaseHeld();
      if (holdUntil !== undefined) {
        if (requests.length >= holdUntil) return reply();
        held.push({ arrivals: holdUntil, release: reply });
      } else if (delayMs <= 0) {
        return reply();
      }
      if (delayMs <= 0) return;
      const timer = setTimeout(() => {
        timers.delete(timer);
        reply();
      }, delayMs);
      timers.add(timer);
    });
  });

  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      server.off("error", reject);
      resolve();
    });
  });
  const { port } = server.address() as AddressInfo;

  return {
    url: `http://127.0.0.1:${port}/`,
    requests,
    close() {
      for (const timer of timers) clearTimeout(timer);
      timers.clear();
      return new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
    },
  };
}

/**
 * For a test file (or describe block) that starts recording servers: returns a starter whose
 * servers are all closed after each test, failing or not.
 */
export function useRecordingServers(): (script?: ResponseScript) => Promise<RecordingServer> {
  const servers: RecordingServer[] = [];
  afterEach(async () => {
    await Promise.all(servers.splice(0).map((server) => server.close()));
  });
  return async (script) => {
    const started = await startRecordingServer(script);
    servers.push(started);
    return started;
  };
}
