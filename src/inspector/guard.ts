import { randomBytes, timingSafeEqual } from "node:crypto";
import type { IncomingMessage } from "node:http";
import { HttpError } from "../http/http-error.js";
import { answersHost } from "../http/host-guard.js";
import { isLoopbackPeer } from "../loopback.js";

/** The header that carries the per-run token on every API call the page makes. */
export const TOKEN_HEADER = "x-pinwheel-inspector-token";

/** A fresh token for one run of `listen`: 256 random bits, URL- and attribute-safe. */
export function newToken(): string {
  return randomBytes(32).toString("base64url");
}

function sameToken(given: string | undefined, token: string): boolean {
  if (given === undefined) return false;
  const a = Buffer.from(given);
  const b = Buffer.from(token);
  return a.length === b.length && timingSafeEqual(a, b);
}

export interface GuardOptions {
  token: string;
  /**
   * When listen binds to loopback, a Host naming anything else can only come from a page that
   * rebound its own DNS name to 127.0.0.1 (DNS rebinding): such requests are refused.
   */
  loopbackOnly: boolean;
}

/**
 * Headers a proxy or tunnel adds (ngrok, cloudflared, nginx...). The page is for the machine
 * listen runs on: a tunnel that rewrites Host to localhost (ngrok --host-header=rewrite,
 * cloudflared --http-host-header) would otherwise hand anyone on the internet its token.
 */
const PROXY_HEADERS = ["forwarded", "x-forwarded-for", "x-forwarded-host", "x-real-ip", "cf-connecting-ip", "true-client-ip"];

/**
 * Who may use the inspector. Pages and assets need only a proper Host. Every API call (reads of
 * stored payroll data too) needs the per-run token, which only a page served by this listener
 * holds: the browser's same-origin policy keeps it from other sites. Writes (POST) need it in the
 * header, and a browser's Origin and Sec-Fetch-Site must say the call comes from this page.
 */
export function createGuard(options: GuardOptions) {
  return {
    token: options.token,
    checkHost(request: IncomingMessage): void {
      if (!answersHost(request, options.loopbackOnly)) {
        throw new HttpError(421, "wrong_host", "the inspector answers only to localhost or 127.0.0.1 addresses");
      }
      const proxied = PROXY_HEADERS.find((name) => request.headers[name] !== undefined);
      if (proxied !== undefined) {
        throw new HttpError(403, "proxied", `the inspector is not served through a proxy or tunnel (this request has ${proxied}); open it at the address listen printed`);
      }
    },
    checkRead(request: IncomingMessage, url: URL): void {
      const given = (request.headers[TOKEN_HEADER] as string | undefined) ?? url.searchParams.get("token") ?? undefined;
      if (!sameToken(given, options.token)) {
        throw new HttpError(403, "missing_token", "this call needs the inspector's per-run token; open the page that listen printed");
      }
    },
    checkWrite(request: IncomingMessage): void {
      // Bound beyond loopback, the page (and its token) reach anyone on the network; a replay
      // re-signs with the real secret, so it is taken only from a page opened through a loopback
      // name, by a client on this machine: a client elsewhere writes whatever Host it likes.
      if (!options.loopbackOnly && (!answersHost(request, true) || !isLoopbackPeer(request.socket.remoteAddress))) {
        throw new HttpError(
          403,
          "replay_needs_localhost",
          "listen is bound beyond loopback, so replays from the page are taken only when it is opened on this machine, through localhost or 127.0.0.1; or use pinwheel-cli replay",
        );
      }
      // A token in the query string would let a plain link or form carry it: writes take the header only.
      if (!sameToken(request.headers[TOKEN_HEADER] as string | undefined, options.token)) {
        throw new HttpError(403, "missing_token", `writes need the ${TOKEN_HEADER} header with the per-run token`);
      }
      const site = request.headers["sec-fetch-site"];
      if (site !== undefined && site !== "same-origin") {
        throw new HttpError(403, "cross_site", `refused a ${site} request; the inspector accepts writes from its own page only`);
      }
      const origin = request.headers.origin;
      if (origin !== undefined && origin !== `http://${request.headers.host ?? ""}`) {
        throw new HttpError(403, "cross_origin", `refused a write from origin ${origin}`);
      }
    },
  };
}

export type Guard = ReturnType<typeof createGuard>;
