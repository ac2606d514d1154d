import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import type { Db } from "../store/database.js";
import { GroupCommitter } from "../store/group-commit.js";
import { requestStore, type HeaderPairs, type NewRequest, type StoredRequest } from "../store/requests.js";
import { classifyRequest, MAX_BODY_BYTES, type ClassifyOptions } from "./classify.js";

/** Headers that can carry credentials are never written to the event store. */
const REDACTED_HEADERS = new Set(["authorization", "proxy-authorization", "cookie", "x-api-secret"]);

export interface ReceiverOptions {
  db: Db;
  host: string;
  port: number;
  secret: string;
  toleranceSeconds: number;
  skipVerify: boolean;
  validate: ClassifyOptions["validate"];
  /** Epoch milliseconds; injectable so tests can make a request stale without waiting. */
  clock?: () => number;
  /** Called once a request's row is committed, before it is answered. */
  onStored?(request: StoredRequest): void;
  /** Called when a request could not be stored (it is answered 503 so the sender retries). */
  onStoreError?(error: unknown): void;
}

export interface Receiver {
  readonly url: string;
  readonly port: number;
  readonly server: Server;
  /** Stops accepting, lets in-flight requests finish and be committed. Leaves the database open. */
  close(): Promise<void>;
}

function headerPairs(raw: string[]): HeaderPairs {
  const pairs: HeaderPairs = [];
  for (let i = 0; i + 1 < raw.length; i += 2) {
    const name = raw[i]!;
    pairs.push([name, REDACTED_HEADERS.has(name.toLowerCase()) ? "[redacted]" : raw[i + 1]!]);
  }
  return pairs;
}

function readBody(request: IncomingMessage): Promise<{ body: Buffer; size: number; tooLarge: boolean }> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    request.on("data", (chunk: Buffer) => {
      // Past the limit the rest is drained, not kept: the row records the size and the first MiB.
      if (size < MAX_BODY_BYTES) chunks.push(chunk);
      size += chunk.length;
    });
    request.on("end", () => {
      const body = Buffer.concat(chunks);
      resolve({ body: body.length > MAX_BODY_BYTES ? body.subarray(0, MAX_BODY_BYTES) : body, size, tooLarge: size > MAX_BODY_BYTES });
    });
    request.on("error", reject);
  });
}

function answer(response: ServerResponse, statusCode: number, body: unknown, extraHeaders: Record<string, string> = {}): void {
  const text = JSON.stringify(body);
  response.writeHead(statusCode, {
    "content-type": "application/json",
    "content-length": Buffer.byteLength(text),
    ...extraHeaders,
  });
  response.end(text);
}

export async function startReceiver(options: ReceiverOptions): Promise<Receiver> {
  const clock = options.clock ?? Date.now;
  const store = requestStore(options.db);
  const committer = new GroupCommitter<NewRequest, StoredRequest>(options.db, (row) => store.insert(row));

  async function handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const { body, size, tooLarge } = await readBody(request);
    const now = clock();
    const verdict = classifyRequest(
      { method: request.method ?? "GET", headers: request.headers, body, tooLarge },
      { secret: options.secret, toleranceSeconds: options.toleranceSeconds, skipVerify: options.skipVerify, now, validate: options.validate },
    );
    const { errorCode, ...row } = verdict;
    let stored: StoredRequest;
    try {
      stored = await committer.submit({
        ...row,
        receivedAt: new Date(now).toISOString(),
        method: request.method ?? "",
        path: request.url ?? "/",
        headers: headerPairs(request.rawHeaders),
        body,
        bodySize: size,
        bodyTruncated: tooLarge,
        remoteAddress: request.socket.remoteAddress ?? null,
      });
    } catch (error) {
      options.onStoreError?.(error);
      answer(response, 503, { error: "not_stored", message: "the receiver could not store this request; retry" });
      return;
    }
    options.onStored?.(stored);
    if (stored.statusCode === 200) {
      answer(response, 200, { received: true, id: stored.id, event_id: stored.eventId, duplicate: stored.duplicate });
    } else {
      const message = stored.statusCode === 401 ? stored.verificationDetail : stored.rejection;
      const extra: Record<string, string> = stored.statusCode === 405 ? { allow: "POST" } : {};
      answer(response, stored.statusCode, { error: errorCode, message, id: stored.id }, extra);
    }
  }

  const server = createServer((request, response) => {
    handle(request, response).catch((error: unknown) => {
      options.onStoreError?.(error);
      if (!response.headersSent) answer(response, 500, { error: "internal_error" });
      else response.destroy();
    });
  });

  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.port, options.host, () => {
      server.off("error", reject);
      resolve();
    });
  });
  const address = server.address() as AddressInfo;
  const hostForUrl = address.family === "IPv6" ? `[${address.address}]` : address.address;

  return {
    url: `http://${hostForUrl}:${address.port}/`,
    port: address.port,
    server,
    close() {
      return new Promise<void>((resolve) => {
        server.close(() => {
          committer.flush();
          resolve();
        });
        server.closeIdleConnections();
      });
    },
  };
}
