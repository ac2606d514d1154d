/**
 * The node:http sender (a few deliveries) against undici's (a long run), to the same real servers
 * on 127.0.0.1: the bytes on the wire and every attempt's result must be the same, so which one
 * ran never shows in what a receiver stores or in what the user reads.
 */
import { createServer as createHttpServer, type RequestListener } from "node:http";
import { createServer as createNetServer, type Server, type Socket } from "node:net";
import type { AddressInfo } from "node:net";
import { describe, expect, it } from "vitest";
import { createNodeSender, createSenderFor } from "../../src/delivery/node-sender.js";
import { ABANDONED_ATTEMPT, createSender, type AttemptResult } from "../../src/delivery/sender.js";
import { useBothSenders } from "../helpers/both-senders.js";
import { waitUntil } from "../helpers/wait.js";

const { servers, senders, both } = useBothSenders();

async function listening(server: Server): Promise<string> {
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

const http = (handler: RequestListener) => listening(createHttpServer(handler));

/**
 * A TCP server that hands each connection to `onSocket`, for answers HTTP servers do not give. A
 * sender that gives up resets the connection, so a write after that (a trickle's next byte) fails
 * with ECONNRESET: an error the test expects, not one to crash the run as uncaught.
 */
const raw = (onSocket: (socket: Socket) => void) =>
  listening(
    createNetServer((socket) => {
      socket.on("error", () => {});
      onSocket(socket);
    }),
  );

/** An attempt without its timing, which differs from run to run. */
function comparable(result: AttemptResult): Omit<AttemptResult, "startedAt" | "durationMs"> {
  const { startedAt, durationMs, ...rest } = result;
  expect(Number.isNaN(Date.parse(startedAt))).toBe(false);
  expect(durationMs).toBeGreaterThanOrEqual(0);
  return rest;
}

/** Servers that answer `first`, then `next` every 40 ms for as long as the connection lasts. */
function trickling() {
  const timers: NodeJS.Timeout[] = [];
  const trickles = (first: string, next: string) =>
    raw((socket) =>
      socket.once("data", () => {
        socket.write(first);
        const timer = setInterval(() => !socket.destroyed && socket.write(next), 40);
        timers.push(timer);
        socket.on("close", () => clearInterval(timer));
      }),
    );
  return { trickles, timers };
}

const HEADERS = { "content-type": "application/json", "x-timestamp": "1700000000", "x-pinwheel-signature": "v2=abc" };

async function sameFromBoth(url: string, timeoutMs = 2_000, body = '{"event":"x"}') {
  const results = [];
  for (const { sender } of both(timeoutMs)) results.push(comparable(await sender.send(url, body, HEADERS)));
  expect(results[1]).toEqual(results[0]);
  return results[0]!;
}

describe("createNodeSender", () => {
  it("puts the same bytes on the wire as undici, credentials in the URL sent as Basic", async () => {
    const seen: string[] = [];
    const base = await raw((socket) =>
      socket.once("data", (chunk) => {
        seen.push(chunk.toString("latin1").replace(/^host: 127\.0\.0\.1:\d+/m, "host: <port>"));
        socket.end("HTTP/1.1 200 OK\r\ncontent-length: 2\r\n\r\nok");
      }),
    );
    const url = base.replace("http://", "http://user:p%40ss@") + "/hooks/pinwheel?x=1";
    const result = await sameFromBoth(url);
    expect(result).toEqual({ url: url.replace("user:p%40ss@", "***@"), statusCode: 200, responseBody: "ok" });
    expect(seen).toHaveLength(2);
    expect(seen[1]).toBe(seen[0]);
    expect(seen[0]).toContain(`authorization: Basic ${Buffer.from("user:p@ss").toString("base64")}\r\n`);
  });

  it("keeps the first 2 KiB of an answer, without a character cut in half", async () => {
    const url = await http((_request, response) => {
      response.writeHead(500, { "content-type": "text/plain" });
      response.end(`${"a".repeat(2047)}é${"b".repeat(100_000)}`);
    });
    const result = await sameFromBoth(url);
    expect(result.statusCode).toBe(500);
    expect(result.responseBody).toBe("a".repeat(2047));
  });

  it("words a refused connection, a connection closed before the answer, https:// to plain HTTP and a timeout as undici does", async () => {
    const closedPort = await raw(() => {});
    const refused = closedPort;
    await new Promise<void>((resolve) => servers.pop()!.close(() => resolve()));
    expect(await sameFromBoth(refused)).toMatchObject({ errorKind: "network", error: expect.stringMatching(/ECONNREFUSED/) });

    const hangsUp = await raw((socket) => socket.once("data", () => socket.end()));
    expect(await sameFromBoth(hangsUp)).toMatchObject({ errorKind: "network", error: "UND_ERR_SOCKET: other side closed" });

    const plain = await http((_request, response) => response.end("ok"));
    expect(await sameFromBoth(plain.replace("http://", "https://"))).toMatchObject({
      errorKind: "network",
      error: "ERR_SSL_WRONG_VERSION_NUMBER: the server did not answer TLS; it probably speaks plain HTTP (use http://)",
    });

    const silent = await raw((socket) => socket.resume());
    expect(await sameFromBoth(silent, 150)).toMatchObject({ errorKind: "timeout", error: "no answer within 150 ms" });
  });

  it("says an attempt it abandoned was abandoned, not that the server hung up", async () => {
    let arrived = 0;
    const url = await http(() => void arrived++);
    // Not through both(): an abandoned sender is done with, and is not closed after the test.
    const abandoning = [
      { name: "undici", sender: createSender({ timeoutMs: 10_000, connections: 4 }) },
      { name: "node:http", sender: createNodeSender({ timeoutMs: 10_000, connections: 4 }) },
    ];
    for (const { name, sender } of abandoning) {
      const before = arrived;
      const sending = sender.send(url, '{"event":"x"}', HEADERS);
      await waitUntil(() => arrived > before);
      await sender.abandon?.();
      const result = await sending;
      expect(result.statusCode, name).toBeUndefined();
      expect({ errorKind: result.errorKind, error: result.error }, name).toEqual(ABANDONED_ATTEMPT);
    }
  });

  it("reads past an informational 1xx answer to the real one", async () => {
    const url = await raw((socket) =>
      socket.once("data", () => socket.write("HTTP/1.1 102 Processing\r\n\r\nHTTP/1.1 202 Accepted\r\ncontent-length: 4\r\n\r\ndone")),
    );
    expect(await sameFromBoth(url)).toEqual({ url, statusCode: 202, responseBody: "done" });
  });

  it("keeps the status when the answer's body stops coming", async () => {
    const url = await raw((socket) =>
      socket.once("data", () => socket.write("HTTP/1.1 200 OK\r\ncontent-length: 100\r\n\r\npartial")),
    );
    expect(await sameFromBoth(url, 200)).toMatchObject({ statusCode: 200, errorKind: "timeout", error: "no answer within 200 ms" });
  });

  it("words an answer whose connection closes mid-body as undici does, keeping the status", async () => {
    const url = await raw((socket) => socket.once("data", () => socket.end("HTTP/1.1 200 OK\r\ncontent-length: 100\r\n\r\nshort")));
    expect(await sameFromBoth(url)).toMatchObject({ statusCode: 200, errorKind: "network", error: "UND_ERR_SOCKET: other side closed" });
  });

  it("ends an answer that trickles in at the timeout, though bytes keep coming (an idle timeout never fires)", async () => {
    const { trickles, timers } = trickling();
    try {
      const body = await trickles("HTTP/1.1 200 OK\r\ntransfer-encoding: chunked\r\n\r\n", "1\r\na\r\n");
      const headers = await trickles("HTTP/1.1 200 OK\r\n", "x-a: 1\r\n");
      const processing = await trickles("HTTP/1.1 102 Processing\r\n\r\n", "HTTP/1.1 102 Processing\r\n\r\n");
      for (const url of [body, headers, processing]) {
        const started = Date.now();
        const result = await sameFromBoth(url, 300);
        expect(result, url).toMatchObject({ errorKind: "timeout", error: "no answer within 300 ms" });
        expect(Date.now() - started).toBeLessThan(2_500);
      }
    } finally {
      timers.forEach(clearInterval);
    }
  });

  it("ends a trickling answer at a timeout too long for a timer per request (undici's path at 2 s and more)", async () => {
    const { trickles, timers } = trickling();
    const sender = createSender({ timeoutMs: 2_000, connections: 4 });
    senders.push(sender);
    try {
      for (const url of [
        await trickles("HTTP/1.1 200 OK\r\ntransfer-encoding: chunked\r\n\r\n", "1\r\na\r\n"),
        await trickles("HTTP/1.1 102 Processing\r\n\r\n", "HTTP/1.1 102 Processing\r\n\r\n"),
      ]) {
        const started = Date.now();
        expect(await sender.send(url, '{"event":"x"}', HEADERS), url).toMatchObject({ errorKind: "timeout", error: "no answer within 2000 ms" });
        expect(Date.now() - started).toBeLessThan(4_000);
      }
    } finally {
      timers.forEach(clearInterval);
    }
  });

  it("reports an answer that switches protocols (101) as a failure, as undici does, instead of never settling", async () => {
    const url = await raw((socket) =>
      socket.once("data", () => socket.write("HTTP/1.1 101 Switching Protocols\r\nupgrade: websocket\r\nconnection: upgrade\r\n\r\nx")),
    );
    // undici says only "bad upgrade"; both say what came back.
    expect(await sameFromBoth(url)).toMatchObject({ errorKind: "network", error: expect.stringMatching(/^UND_ERR_SOCKET: the server answered 101 Switching Protocols/) });
  });

  it("sends a password with a bare % as written, not a thrown URIError", async () => {
    const seen: string[] = [];
    const base = await raw((socket) =>
      socket.once("data", (chunk) => {
        seen.push(chunk.toString("latin1"));
        socket.end("HTTP/1.1 200 OK\r\ncontent-length: 2\r\n\r\nok");
      }),
    );
    const result = await sameFromBoth(base.replace("http://", "http://user:50%off@") + "/");
    expect(result).toMatchObject({ statusCode: 200 });
    expect(seen[0]).toContain(`authorization: Basic ${Buffer.from("user:50%off").toString("base64")}\r\n`);
  });

  // A keep-alive server whose idle timeout runs out just as the next request goes out on the
  // connection closes it unanswered: the request never reached a handler.
  it("sends again, once and as the same attempt, a request whose reused connection closed before any answer", async () => {
    let connections = 0;
    const url = await raw((socket) => {
      connections++;
      let received = Buffer.alloc(0);
      let answered = false;
      socket.on("data", (chunk: Buffer) => {
        if (answered) return void socket.destroy();
        received = Buffer.concat([received, chunk]);
        const headEnd = received.indexOf("\r\n\r\n");
        const length = Number(/content-length: (\d+)/i.exec(received.subarray(0, Math.max(headEnd, 0)).toString("latin1"))?.[1] ?? -1);
        if (headEnd < 0 || received.length < headEnd + 4 + length) return;
        answered = true;
        socket.write("HTTP/1.1 200 OK\r\ncontent-length: 2\r\n\r\nok");
      });
    });
    for (const { name, sender } of both()) {
      const before = connections;
      expect((await sender.send(url, "{}", HEADERS)).statusCode, name).toBe(200);
      // Idle a moment, as the connection would be: undici's pool takes a new one for a request sent at once.
      await new Promise((resolve) => setTimeout(resolve, 20));
      expect(comparable(await sender.send(url, "{}", HEADERS)), name).toEqual({ url, statusCode: 200, responseBody: "ok" });
      expect(connections - before, name).toBe(2);
    }
  });

  it("does not send again a request whose new connection closed before any answer (the handler may have run)", async () => {
    let requests = 0;
    const url = await raw((socket) => socket.once("data", () => (requests++, socket.destroy())));
    for (const { name, sender } of both()) {
      expect(await sender.send(url, "{}", HEADERS), name).toMatchObject({ errorKind: "network", error: "UND_ERR_SOCKET: other side closed" });
    }
    expect(requests).toBe(2);
  });

  it("createSenderFor gives a working sender for a few deliveries and for a long run", async () => {
    const url = await http((_request, response) => response.end("ok"));
    for (const planned of [1, 20, 21]) {
      const sender = createSenderFor(planned, { timeoutMs: 2_000, connections: 2 });
      senders.push(sender);
      expect((await sender.send(url, "{}", HEADERS)).statusCode).toBe(200);
    }
  });
});
