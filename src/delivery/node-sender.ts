import { Agent as HttpAgent, request as httpRequest, type IncomingMessage } from "node:http";
import { createRequire } from "node:module";
import { lookupLocalhostAsLoopback } from "../loopback-lookup.js";
import { basicAuthorization, redactUrl } from "../redact-url.js";
import { ABANDONED_ATTEMPT, attemptFailure, createSender, readExcerpt, type AttemptResult, type HttpSender, type SenderOptions } from "./sender.js";
import { monotonicMs } from "../monotonic.js";

/** Runs this small or smaller go over node:http; a larger one gets undici's pool. */
const NODE_SENDER_UP_TO = 20;

/**
 * The sender for a run of `planned` deliveries: a few go over node:http, which a one-shot command
 * has at hand; a long run gets undici's keep-alive pool, which pays for its loading.
 */
export function createSenderFor(planned: number, options: SenderOptions): HttpSender {
  return sendsOverUndici(planned) ? createSender(options) : createNodeSender(options);
}

/** Whether createSenderFor gives a run of `planned` deliveries undici's pool. */
export function sendsOverUndici(planned: number): boolean {
  return planned > NODE_SENDER_UP_TO;
}

/** node:https (and TLS with it) only for an https:// target. */
const https = (): typeof import("node:https") => createRequire(import.meta.url)("node:https") as typeof import("node:https");

/**
 * A sender on node:http for a handful of deliveries (simulate of one event, replay of a few ids).
 * Loading undici costs a one-shot command more CPU than everything else it does; node:http is
 * already part of the process. The request bytes are undici's (host, connection: keep-alive, the
 * headers in order, content-length) and failures are worded as undici words them, so a receiver
 * stores, and the user reads, the same thing whichever sender ran.
 */
export function createNodeSender(options: SenderOptions): HttpSender {
  const clock = options.clock ?? Date.now;
  const agentOptions = { keepAlive: true, maxSockets: options.connections ?? 64 };
  const agents: Agents = {};
  let abandoned = false;

  return {
    async send(sentTo, body, headers, stop) {
      const started = clock();
      const startedHr = monotonicMs();
      const startedAt = new Date(started).toISOString();
      const url = redactUrl(sentTo);
      const finish = (result: Partial<AttemptResult>): AttemptResult => ({ url, startedAt, durationMs: monotonicMs() - startedHr, ...result });
      let statusCode: number | undefined;
      // The timeout bounds the whole exchange: node's socket timeout is an idle one, which an
      // answer trickling a byte a second (or a 1xx every few seconds) never lets fire.
      const deadline: Deadline = { passed: false };
      const timer = setTimeout(() => {
        deadline.passed = true;
        deadline.cancel?.(new TimeoutError("timed out"));
      }, options.timeoutMs);
      try {
        const target = new URL(sentTo);
        const authorization = basicAuthorization(target);
        const sent = authorization && headers.authorization === undefined ? { ...headers, authorization } : headers;
        const payload = typeof body === "string" ? Buffer.from(body) : body;
        const send = () => exchange(target, sent, payload, options.timeoutMs, agents, agentOptions, stop, deadline);
        // As the undici sender does (closedOnReuse in sender.ts): node's own words for it are a
        // "socket hang up" on a request whose socket was reused.
        const response = await send().catch((error: unknown) => {
          if (error instanceof OtherSideClosed && error.reusedConnection && !abandoned && !deadline.passed && !stop?.aborted) return send();
          throw error;
        });
        statusCode = response.statusCode;
        const responseBody = await readExcerpt(response);
        return finish({ statusCode, responseBody });
      } catch (error) {
        const reason = deadline.passed ? new TimeoutError("timed out") : closedMidAnswer(error) ? new OtherSideClosed(false) : error;
        // When the status arrived and only the body failed, what the handler said is kept.
        return finish({ ...(statusCode === undefined ? {} : { statusCode }), ...(abandoned ? ABANDONED_ATTEMPT : attemptFailure(reason, options.timeoutMs)) });
      } finally {
        clearTimeout(timer);
      }
    },
    async close() {
      agents.http?.destroy();
      agents.https?.destroy();
    },
    // Destroying the agents ends the requests in flight too; each is then recorded as abandoned.
    async abandon() {
      abandoned = true;
      agents.http?.destroy();
      agents.https?.destroy();
    },
  };
}

/** An attempt's timeout: once `passed`, `cancel` (set by the exchange) ends its request. */
interface Deadline {
  passed: boolean;
  cancel?: (reason: Error) => void;
}

/** undici's words for an answer that switches protocols (101), which a webhook's POST never asks for. */
class BadUpgrade extends Error {
  readonly code = "UND_ERR_SOCKET";
  constructor() {
    super("bad upgrade");
  }
}

interface Agents {
  http?: HttpAgent;
  https?: HttpAgent;
}

class TimeoutError extends Error {
  override name = "TimeoutError";
}

/** undici's words for a connection the server closed before answering ("socket hang up" in node:http). */
class OtherSideClosed extends Error {
  readonly code = "UND_ERR_SOCKET";
  constructor(readonly reusedConnection: boolean) {
    super("other side closed");
  }
}

/** node's words for a connection closed while the answer's body was still coming ("aborted"). */
function closedMidAnswer(error: unknown): boolean {
  const { code, message } = error as { code?: unknown; message?: unknown };
  return code === "ECONNRESET" && message === "aborted";
}

/**
 * node:http writes the request before the TLS handshake is done, so a handshake that fails (an
 * https:// URL to a plain HTTP server) surfaces as "write EPROTO <OpenSSL text>". undici waits
 * for the handshake and reports OpenSSL's own code (ERR_SSL_WRONG_VERSION_NUMBER): the same here.
 */
function tlsFailure(error: NodeJS.ErrnoException): Error {
  const reason = error.code === "EPROTO" ? /SSL routines:[^:]*:([^:]+):/.exec(error.message)?.[1] : undefined;
  if (reason === undefined) return error;
  return Object.assign(new Error(error.message.replace(/^write EPROTO /, "")), { code: `ERR_SSL_${reason.toUpperCase().replace(/ /g, "_")}` });
}

function exchange(
  target: URL,
  headers: Record<string, string>,
  body: Uint8Array,
  timeoutMs: number,
  agents: Agents,
  agentOptions: { keepAlive: boolean; maxSockets: number },
  stop: AbortSignal | undefined,
  deadline: Deadline,
): Promise<IncomingMessage> {
  const secure = target.protocol === "https:";
  if (!secure && target.protocol !== "http:") return Promise.reject(new TypeError(`unsupported protocol ${target.protocol}`));
  const agent = secure ? (agents.https ??= new (https().Agent)(agentOptions)) : (agents.http ??= new HttpAgent(agentOptions));
  // As undici sends them: host first, then connection, the caller's headers, and the length last.
  const raw: string[] = ["host", target.host, "connection", "keep-alive"];
  for (const [name, value] of Object.entries(headers)) raw.push(name, value);
  raw.push("content-length", String(body.byteLength));
  return new Promise((resolve, reject) => {
    const request = (secure ? https().request : httpRequest)(
      {
        protocol: target.protocol,
        hostname: target.hostname.startsWith("[") ? target.hostname.slice(1, -1) : target.hostname,
        port: target.port || undefined,
        lookup: lookupLocalhostAsLoopback,
        path: `${target.pathname}${target.search}`,
        method: "POST",
        agent,
        // node:http's type says a record; an array of name, value pairs keeps the order and the case.
        headers: raw as unknown as Record<string, string>,
        setHost: false,
        // A socket idle this long (connecting, waiting for the headers or between body chunks) is a timeout.
        timeout: timeoutMs,
        signal: stop,
      },
      (response) => {
        response.setTimeout(timeoutMs, () => response.destroy(new TimeoutError("timed out")));
        resolve(response);
      },
    );
    request.on("timeout", () => request.destroy(new TimeoutError("timed out")));
    deadline.cancel = (reason) => request.destroy(reason);
    // Without a listener node drops the socket and the request never settles: a run would end
    // with nothing reported or recorded.
    request.on("upgrade", (_response, socket) => {
      socket.destroy();
      reject(new BadUpgrade());
    });
    request.on("error", (error: NodeJS.ErrnoException) => {
      reject(error.code === "ECONNRESET" && error.message === "socket hang up" ? new OtherSideClosed(request.reusedSocket) : tlsFailure(error));
    });
    request.end(body);
  });
}
