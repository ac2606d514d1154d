/** The SSE hub on a real HTTP server: clients come and go, and a page that stops reading is dropped. */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import { connect, type AddressInfo, type Socket } from "node:net";
import { afterEach, describe, expect, it } from "vitest";
import { EventStream } from "../../src/inspector/stream.js";
import { openSse, type SseClient } from "./harness.js";
import { textUntilClosed } from "../helpers/raw-client.js";
import { waitUntil } from "../helpers/wait.js";

let server: Server | undefined;
let stream: EventStream | undefined;
const sockets: Socket[] = [];
const clients: SseClient[] = [];

afterEach(async () => {
  for (const client of clients.splice(0)) client.close();
  for (const socket of sockets.splice(0)) socket.destroy();
  stream?.close();
  if (server) await new Promise<void>((resolve) => (server!.closeAllConnections(), server!.close(() => resolve())));
  server = undefined;
});

async function start(hub: EventStream): Promise<string> {
  stream = hub;
  server = createServer((request, response) => hub.open(request, response, () => {}));
  await new Promise<void>((resolve) => server!.listen(0, "127.0.0.1", resolve));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
}

describe("EventStream", () => {
  it("sends each event to every open client and forgets a client once it disconnects", async () => {
    const hub = new EventStream();
    const url = await start(hub);
    const a = await openSse(url);
    const b = await openSse(url);
    clients.push(a, b);
    await waitUntil(() => hub.size === 2);
    hub.publish("request", { id: 7, text: "line one\nline two" }, 7);
    for (const client of [a, b]) {
      const event = await client.next((e) => e.event === "request");
      expect(event.id).toBe("7");
      expect(JSON.parse(event.data)).toEqual({ id: 7, text: "line one\nline two" });
    }
    a.close();
    await waitUntil(() => hub.size === 1);
    hub.publish("request", { id: 8 }, 8);
    await b.next((e) => e.id === "8");
  });

  it("refuses clients past its limit", async () => {
    const hub = new EventStream({ maxClients: 1 });
    let refused = 0;
    stream = hub;
    server = createServer((request, response) => {
      if (!hub.open(request, response, () => {})) {
        refused++;
        response.writeHead(503).end();
      }
    });
    await new Promise<void>((resolve) => server!.listen(0, "127.0.0.1", resolve));
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
    clients.push(await openSse(url));
    const second = await openSse(url);
    clients.push(second);
    expect(second.response.statusCode).toBe(503);
    expect(refused).toBe(1);
  });

  it("drops a client that stops reading instead of buffering for it without bound", async () => {
    const hub = new EventStream({ maxBufferedBytes: 64 * 1024 });
    const url = new URL(await start(hub));
    const socket = connect(Number(url.port), "127.0.0.1");
    sockets.push(socket);
    socket.write(`GET / HTTP/1.1\r\nHost: ${url.host}\r\nAccept: text/event-stream\r\n\r\n`);
    await waitUntil(() => hub.size === 1);
    // The page is frozen: its socket reads nothing more, so the kernel buffers fill, then node's.
    socket.pause();
    const chunk = { text: "x".repeat(32 * 1024) };
    let published = 0;
    while (hub.size > 0 && published < 4_000) {
      hub.publish("request", chunk);
      published++;
      if (published % 50 === 0) await new Promise((resolve) => setTimeout(resolve, 5));
    }
    expect(hub.size).toBe(0);
    expect(published).toBeLessThan(4_000);
  });

  it("ends each stream and its connection on close, and refuses a stream asked for after", async () => {
    const hub = new EventStream();
    const url = new URL(await start(hub));
    const socket = connect(Number(url.port), "127.0.0.1");
    sockets.push(socket);
    // A browser keeps the connection for its next request unless told otherwise: HTTP/1.1, no "connection: close".
    socket.write(`GET / HTTP/1.1\r\nHost: ${url.host}\r\nAccept: text/event-stream\r\n\r\n`);
    await waitUntil(() => hub.size === 1);
    const closed = textUntilClosed(socket);
    hub.close();
    // The page's reconnect cannot land on this connection: the server ends it after the stream's last chunk.
    const text = await closed;
    expect(text).toMatch(/^HTTP\/1\.1 200 /);
    expect(text.toLowerCase()).toContain("connection: close");
    expect(text.endsWith("0\r\n\r\n")).toBe(true);
    expect(hub.closed).toBe(true);
    expect(hub.open({} as IncomingMessage, {} as ServerResponse, () => {})).toBe(false);
  });
});
