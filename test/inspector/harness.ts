/**
 * A real receiver with the inspector mounted, in-process, on 127.0.0.1 port 0 with a SQLite file
 * in a temp dir: what `listen` builds, minus the terminal. Plus a small HTTP and SSE client.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { request as httpRequest, type IncomingMessage } from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { request } from "undici";
import { createInspector, TOKEN_HEADER, type Inspector, type InspectorOptions } from "../../src/inspector/index.js";
import { startReceiver, type Receiver } from "../../src/receiver/server.js";
import { openDatabase, type Db } from "../../src/store/database.js";
import { signedHeaders } from "../../src/signing.js";
import { receiverOptions } from "../helpers/receiver.js";

export const SECRET = "inspector-test-secret";

export interface Inspected {
  /** The receiver's base URL, e.g. http://127.0.0.1:41234/ */
  base: string;
  /** base + "_/" */
  page: string;
  inspector: Inspector;
  receiver: Receiver;
  db: Db;
  close(): Promise<void>;
}

export async function startInspected(
  options: { forward?: InspectorOptions["forward"]; clock?: () => number; stream?: InspectorOptions["stream"]; loopbackOnly?: boolean } = {},
): Promise<Inspected> {
  const dir = mkdtempSync(join(tmpdir(), "pinwheel-inspector-"));
  const db = openDatabase(join(dir, "events.db"));
  const inspector = createInspector({ db, secret: SECRET, forward: options.forward, loopbackOnly: options.loopbackOnly ?? true, replayTimeoutMs: 5_000, stream: options.stream });
  const receiver = await startReceiver(
    receiverOptions(join(dir, "events.db"), SECRET, {
      clock: options.clock,
      routes: inspector.routes,
      onStored: (stored) => inspector.publishRequest(stored),
    }),
  );
  return {
    base: receiver.url,
    page: `${receiver.url}_/`,
    inspector,
    receiver,
    db,
    async close() {
      await inspector.close();
      await receiver.close();
      db.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

export interface Answer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  text: string;
  json<T = Record<string, unknown>>(): T;
}

export async function call(
  url: string,
  init: { method?: "GET" | "POST" | "OPTIONS" | "PUT"; headers?: Record<string, string>; body?: string | Buffer } = {},
): Promise<Answer> {
  const response = await request(url, { method: init.method ?? "GET", headers: init.headers, body: init.body, headersTimeout: 10_000, bodyTimeout: 10_000 });
  const text = await response.body.text();
  return { status: response.statusCode, headers: response.headers, text, json: <T>() => JSON.parse(text) as T };
}

export const withToken = (inspected: Inspected, extra: Record<string, string> = {}) => ({ [TOKEN_HEADER]: inspected.inspector.token, ...extra });

/** POSTs a webhook signed with `secret` at `timestampSeconds` (now by default). */
export function sendWebhook(url: string, body: string | Buffer, options: { secret?: string; timestampSeconds?: number } = {}): Promise<Answer> {
  const headers = signedHeaders(options.secret ?? SECRET, body, {
    timestamp: options.timestampSeconds ?? Math.floor(Date.now() / 1000),
    webhookId: "6f1c9d2e-3a4b-4c5d-8e9f-0a1b2c3d4e5f",
  });
  return call(url, { method: "POST", headers, body });
}

export interface SseEvent {
  event: string;
  id?: string;
  data: string;
}

/** A raw EventSource: connects, parses frames, counts comment lines (heartbeats). */
export interface SseClient {
  events: SseEvent[];
  comments: number;
  response: IncomingMessage;
  next(predicate: (event: SseEvent) => boolean, timeoutMs?: number): Promise<SseEvent>;
  close(): void;
}

export function openSse(url: string, headers: Record<string, string> = {}): Promise<SseClient> {
  return new Promise((resolve, reject) => {
    const outgoing = httpRequest(url, { headers: { accept: "text/event-stream", ...headers } }, (response) => {
      const events: SseEvent[] = [];
      const waiters = new Set<() => void>();
      let buffer = "";
      const client: SseClient = {
        events,
        comments: 0,
        response,
        next(predicate, timeoutMs = 5_000) {
          return new Promise((resolveNext, rejectNext) => {
            const check = () => {
              const found = events.find(predicate);
              if (found) {
                finish();
                resolveNext(found);
              }
            };
            const timer = setTimeout(() => {
              finish();
              rejectNext(new Error(`no matching SSE event within ${timeoutMs} ms; got ${JSON.stringify(events)}`));
            }, timeoutMs);
            const finish = () => {
              clearTimeout(timer);
              waiters.delete(check);
            };
            waiters.add(check);
            check();
          });
        },
        close() {
          outgoing.destroy();
        },
      };
      response.setEncoding("utf8");
      response.on("data", (chunk: string) => {
        buffer += chunk;
        let end: number;
        while ((end = buffer.indexOf("\n\n")) !== -1) {
          const frame = buffer.slice(0, end);
          buffer = buffer.slice(end + 2);
          const parsed: SseEvent = { event: "message", data: "" };
          let isEvent = false;
          for (const line of frame.split("\n")) {
            if (line.startsWith(":")) client.comments++;
            else if (line.startsWith("event: ")) {
              parsed.event = line.slice(7);
              isEvent = true;
            } else if (line.startsWith("id: ")) parsed.id = line.slice(4);
            else if (line.startsWith("data: ")) {
              parsed.data += line.slice(6);
              isEvent = true;
            }
          }
          if (isEvent) events.push(parsed);
        }
        for (const wake of waiters) wake();
      });
      response.on("error", () => {});
      resolve(client);
    });
    outgoing.on("error", reject);
    outgoing.end();
  });
}
