import type { Server } from "node:http";
import type { Socket } from "node:net";

/** How long, once closing, a connection that has sent nothing yet is kept (its first bytes may be on the way). */
const SILENT_CONNECTION_GRACE_MS = 100;

/** How often, once closing, connections that went idle are let go. */
const IDLE_SWEEP_MS = 20;

/** Every open connection of a server, so that closing it can tell the ones that never sent a byte. */
export function trackConnections(server: Server): Set<Socket> {
  const sockets = new Set<Socket>();
  server.on("connection", (socket: Socket) => {
    sockets.add(socket);
    socket.once("close", () => sockets.delete(socket));
  });
  return sockets;
}

/**
 * Stops accepting and resolves once every connection is closed: idle ones at once, requests in
 * flight once answered, a client still sending after `graceMs`. Node counts a connection that
 * never sent a byte as busy, not idle: a browser's preconnect, or a client's pooled socket, would
 * hold the close for the whole grace (without one, until node's request timeout). It carries no
 * request; what a client wrote just before the close has a moment to be read.
 *
 * Node still answers "connection: keep-alive" once closing, and leaves the connection open, idle,
 * until its keep-alive timeout: a pooled client's request answered during the close would hold it
 * to the cut-off. Connections that went idle are let go as they do (node's idle test skips one
 * still receiving a request, or owing an answer to one pipelined).
 */
export function closeServer(server: Server, sockets: Set<Socket>, graceMs: number): Promise<void> {
  return new Promise<void>((resolve) => {
    // A request half sent holds its connection (and so the close) until requestTimeout, or forever once closing.
    const cutOff = setTimeout(() => server.closeAllConnections(), graceMs);
    const silent = setTimeout(() => {
      for (const socket of sockets) if (socket.bytesRead === 0) socket.destroy();
    }, Math.min(SILENT_CONNECTION_GRACE_MS, graceMs));
    const idle = setInterval(() => server.closeIdleConnections(), IDLE_SWEEP_MS);
    server.close(() => {
      clearTimeout(cutOff);
      clearTimeout(silent);
      clearInterval(idle);
      resolve();
    });
    server.closeIdleConnections();
  });
}
