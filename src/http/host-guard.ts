import type { IncomingMessage } from "node:http";
import { isLoopbackHostHeader } from "../loopback.js";

/**
 * Whether a server answers this request's Host. Bound to loopback, a server answers loopback
 * names only: a Host naming anything else can only come from a page that rebound its own DNS
 * name to 127.0.0.1 (DNS rebinding), and must not reach the local API or its data.
 */
export function answersHost(request: IncomingMessage, loopbackOnly: boolean): boolean {
  return !loopbackOnly || isLoopbackHostHeader(request.headers.host);
}
