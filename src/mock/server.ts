import { randomUUID } from "node:crypto";
import { createServer, type IncomingMessage, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { isPinwheelVersion } from "../api/environments.js";
import type { WebhooksApi } from "../api/types.js";
import { readBody } from "../http/body.js";
import { closeServer, trackConnections } from "../http/close-server.js";
import { answersHost } from "../http/host-guard.js";
import { sendJson } from "../http/json-answer.js";
import { bindAddress, bindsToLoopback } from "../loopback.js";
import { invalidParameters, wrongHost } from "../registry/errors.js";
import type { Sandbox } from "../sandbox/sandbox.js";
import { answerApiRequest, type ApiAnswer } from "./routes.js";
import { monotonicMs } from "../monotonic.js";

/** Webhook bodies are small; a larger request is refused before it is read whole. */
const MAX_BODY_BYTES = 1024 * 1024;
/** Connections open at once, each reading up to MAX_BODY_BYTES: 128 MiB at the most. Far more than a test suite's client opens. */
export const MOCK_MAX_CONNECTIONS = 128;

/** One answered request, for the command's request log. */
export interface MockAnswer {
  method: string;
  path: string;
  status: number;
  durationMs: number;
  /** The error's code when the answer is an error. */
  code: string | undefined;
}

export interface MockServerOptions {
  host: string;
  port: number;
  secret: string;
  registry: WebhooksApi;
  /** Serves the Core Data API from this sandbox, made on the first data request; without it only /v1/webhooks. */
  sandbox?: () => Promise<Sandbox>;
  /** Called after each answer, for the command's request log. */
  onAnswer?(entry: MockAnswer): void;
  /** Connections open at once (default MOCK_MAX_CONNECTIONS); one more is closed unanswered and reported to onDropped. */
  maxConnections?: number;
  /** A connection past maxConnections was closed unanswered; `open` were open then. */
  onDropped?(open: number): void;
}

export interface MockServer {
  readonly url: string;
  readonly port: number;
  readonly server: Server;
  /** Stops accepting; a request in flight has CLOSE_GRACE_MS to be answered, a connection that sent nothing is let go. */
  close(): Promise<void>;
}

/** The answer to one request: the Host and the body's size checked here, the rest by the routes. */
async function answerMockRequest(request: IncomingMessage, options: MockServerOptions, loopbackOnly: boolean): Promise<ApiAnswer> {
  const body = await readBody(request, MAX_BODY_BYTES);
  if (!answersHost(request, loopbackOnly)) return { status: 421, body: { error: wrongHost() } };
  if (body.tooLarge) {
    return { status: 400, body: { error: invalidParameters([{ name: "body", message: `is larger than ${MAX_BODY_BYTES} bytes` }], "body_too_large") } };
  }
  return answerApiRequest(
    { method: request.method ?? "GET", target: request.url ?? "/", headers: request.headers, body: body.bytes.length ? body.bytes : undefined },
    { secret: options.secret, registry: options.registry, sandbox: options.sandbox },
  );
}

/** A request still in flight when the mock stops has this long to be answered. */
const CLOSE_GRACE_MS = 2_000;

/** Serves a webhooks registry as Pinwheel's /v1/webhooks API (node:http, JSON in and out). */
export async function startMockServer(options: MockServerOptions): Promise<MockServer> {
  // Bound to loopback, the stand-in answers loopback names only, as the inspector does: otherwise
  // a page that rebinds its DNS name to 127.0.0.1 could register its own URL with the public
  // default secret, and simulate's fan-out would deliver signed events there.
  const loopbackOnly = await bindsToLoopback(options.host);
  const server = createServer((request, response) => {
    const started = monotonicMs();
    void (async () => {
      const answer = await answerMockRequest(request, options, loopbackOnly);
      // Pinwheel echoes the version asked for and names each request (API-DATA.md §1): a known
      // version on every answer, errors included; an unknown one (a 400) is not echoed.
      const headers: Record<string, string> = { "content-type": "application/json", "x-pinwheel-request-id": randomUUID() };
      const version = request.headers["pinwheel-version"];
      if (typeof version === "string" && isPinwheelVersion(version)) headers["pinwheel-version"] = version;
      sendJson(response, answer.status, answer.body, headers);
      const code = (answer.body as { error?: { code?: string } }).error?.code;
      options.onAnswer?.({ method: request.method ?? "GET", path: request.url ?? "/", status: answer.status, durationMs: monotonicMs() - started, code });
    })().catch(() => {
      if (!response.headersSent) response.writeHead(500);
      response.end();
    });
  });

  const sockets = trackConnections(server);
  server.maxConnections = options.maxConnections ?? MOCK_MAX_CONNECTIONS;
  server.on("drop", () => options.onDropped?.(server.maxConnections));

  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.port, bindAddress(options.host), () => {
      server.off("error", reject);
      resolve();
    });
  });
  const { port } = server.address() as AddressInfo;
  const host = options.host.includes(":") ? `[${options.host}]` : options.host;
  return {
    url: `http://${host}:${port}`,
    port,
    server,
    close: () => closeServer(server, sockets, CLOSE_GRACE_MS),
  };
}
