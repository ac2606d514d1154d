/**
 * Requests node's HTTP server handles outside the request handler, and browser requests: each is
 * stored with what arrived and answered, or (a connection that sent nothing) neither.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { connect } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DEFAULT_LIMITS, startReceiver, type Receiver, type ReceiverLimits } from "../../src/receiver/server.js";
import { signWebhook } from "../../src/signing.js";
import { openDatabase, type Db } from "../../src/store/database.js";
import { requestStore } from "../../src/store/requests.js";
import { waitUntil } from "../helpers/wait.js";
import { httpRequest, openSocket, rawRequest, textUntilClosed } from "../helpers/raw-client.js";
import { receiverOptions } from "../helpers/receiver.js";
import { newestStored } from "../helpers/stored-requests.js";

const SECRET = "every-request-secret";
let dir: string;
let db: Db;
let receiver: Receiver;
let skipping: Receiver;

function signed(): { body: Buffer; headers: [string, string][] } {
  const timestamp = String(Math.floor(Date.now() / 1000));
  const body = Buffer.from(JSON.stringify({ event: "income.added", event_id: crypto.randomUUID(), payload: { account_id: "a" } }));
  return { body, headers: [["x-timestamp", timestamp], ["x-pinwheel-signature", signWebhook(SECRET, timestamp, body)]] };
}

/** Signed requests to `${path}-0`, `${path}-1`..., as one keep-alive byte string to pipeline. */
function pipelined(count: number, path: string): string {
  return Array.from({ length: count }, (_, index) => {
    const { body, headers } = signed();
    return httpRequest("POST", `${path}-${index}`, headers, body).toString("latin1").replace("connection: close\r\n", "");
  }).join("");
}

const newest = () => newestStored(db);
const count = () => requestStore(db).count();

function start(skipVerify: boolean): Promise<Receiver> {
  return startReceiver(
    receiverOptions(join(dir, "events.db"), SECRET, { skipVerify, limits: { headersTimeoutMs: 300, requestTimeoutMs: 600, maxConnections: 16 } }),
  );
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), "pinwheel-every-request-"));
  db = openDatabase(join(dir, "events.db"));
  receiver = await start(false);
  skipping = await start(true);
});

afterAll(async () => {
  await receiver.close();
  await skipping.close();
  db.close();
  rmSync(dir, { recursive: true, force: true });
});

describe("requests node's server handles itself", () => {
  it("stores and accepts a signed webhook sent with Expect: 200-ok (node alone answers 417 and stores nothing)", async () => {
    const { body, headers } = signed();
    const answer = await rawRequest(receiver.port, httpRequest("POST", "/expect", [...headers, ["expect", "200-ok"]], body));
    expect(answer.status).toBe(200);
    expect(newest()).toMatchObject({ path: "/expect", statusCode: 200, verification: "verified" });
  });

  it("stores a CONNECT and answers it 405 (node alone closes it unanswered)", async () => {
    const before = count();
    const answer = await rawRequest(receiver.port, Buffer.from("CONNECT example.com:443 HTTP/1.1\r\nhost: example.com:443\r\nx-probe: 1\r\n\r\n"));
    expect(answer.status).toBe(405);
    expect(answer.text).toMatch(/allow: POST/i);
    expect(count()).toBe(before + 1);
    const row = newest();
    expect(row).toMatchObject({ method: "CONNECT", path: "example.com:443", statusCode: 405 });
    expect(row.headers).toContainEqual(["x-probe", "1"]);
  });

  it("closes a connection that never sends a byte without a row", async () => {
    const before = count();
    const socket = await openSocket(receiver.port);
    expect(await textUntilClosed(socket)).toBe("");
    expect(count()).toBe(before);
  });

  it("keeps the method, path, headers and bytes of a body that came too slowly (408)", async () => {
    const before = count();
    const socket = await openSocket(receiver.port);
    const answered = textUntilClosed(socket);
    socket.write("POST /slow-body HTTP/1.1\r\nhost: x\r\nx-timestamp: 1\r\ncontent-length: 100\r\n\r\n{\"event\":");
    expect(await answered).toMatch(/^HTTP\/1\.1 408/);
    await waitUntil(() => count() === before + 1);
    const row = newest();
    expect(row).toMatchObject({ method: "POST", path: "/slow-body", statusCode: 408, bodySize: 9 });
    expect(row.headers).toContainEqual(["x-timestamp", "1"]);
    expect(row.body.toString()).toBe('{"event":');
    expect(row.rejection).toMatch(/9 byte\(s\) of the body arrived of 100/);
  });

  it("says a request was cut short when the client ends the connection mid-body, not that it was not HTTP", async () => {
    const before = count();
    const socket = await openSocket(receiver.port);
    const answered = textUntilClosed(socket);
    socket.end("POST /cut-short HTTP/1.1\r\nhost: x\r\ncontent-length: 100\r\n\r\n{\"event\":");
    const answer = await answered;
    expect(answer).toMatch(/^HTTP\/1\.1 400/);
    expect(answer).toMatch(/"error":"incomplete_request"/);
    await waitUntil(() => count() === before + 1);
    const row = newest();
    expect(row).toMatchObject({ method: "POST", path: "/cut-short", statusCode: 400, bodySize: 9 });
    expect(row.rejection).toMatch(/^the client closed its side of the connection before the request was complete \(9 byte\(s\) of the body arrived of 100/);
  });
});

describe("what node's defaults would drop or hold", () => {
  it("cuts a client that keeps sending after its 408, so it holds no connection and its later bytes make no row", async () => {
    const before = count();
    const socket = connect({ port: receiver.port, host: "127.0.0.1", allowHalfOpen: true });
    socket.on("error", () => {});
    const closed = new Promise<number>((resolve) => socket.once("close", () => resolve(Date.now())));
    let answer = "";
    socket.on("data", (chunk: Buffer) => (answer += chunk.toString("latin1")));
    socket.write("POST /loris HTTP/1.1\r\nhost: x\r\n");
    const trickle = setInterval(() => {
      if (!socket.destroyed) socket.write(`x-loris-${Date.now()}: 1\r\n`);
    }, 100);
    try {
      await waitUntil(() => answer.startsWith("HTTP/1.1 408"));
      const answeredAt = Date.now();
      // The client ignores the end of the answer and keeps writing; the server must cut it.
      expect((await closed) - answeredAt).toBeLessThan(2500);
    } finally {
      clearInterval(trickle);
      socket.destroy();
    }
    await waitUntil(() => count() === before + 1);
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(count()).toBe(before + 1);
  });

  it("answers pipelined requests before the malformed one after them, so every stored 200 reached the client", async () => {
    const before = count();
    const requests = pipelined(5, "/pipelined");
    const socket = await openSocket(receiver.port);
    const answered = textUntilClosed(socket);
    socket.write(Buffer.from(`${requests}GARBAGE\r\n\r\n`, "latin1"));
    const text = await answered;
    expect(text.match(/HTTP\/1\.1 \d{3}/g), text).toEqual([...Array(5).fill("HTTP/1.1 200"), "HTTP/1.1 400"]);
    await waitUntil(() => count() === before + 6);
    const rows = requestStore(db).list({ limit: 6, ascending: false }).reverse();
    expect(rows.map((row) => [row.path, row.statusCode])).toEqual([...Array.from({ length: 5 }, (_, index) => [`/pipelined-${index}`, 200]), ["", 400]]);
  });

  it("stores a malformed request pipelined after one with a body as itself, not under the head before it", async () => {
    const { body, headers } = signed();
    const first = httpRequest("POST", "/before-foo", headers, body).toString("latin1").replace("connection: close\r\n", "");
    const before = count();
    const answer = await rawRequest(receiver.port, Buffer.from(`${first}FOO /after-body HTTP/1.1\r\nhost: x\r\n\r\n`, "latin1"));
    expect(answer.status).toBe(200);
    await waitUntil(() => count() === before + 2);
    expect(newest()).toMatchObject({ method: "FOO", path: "/after-body", statusCode: 400 });
  });

  it("stores what came after a request with Connection: close as itself, unanswered, and answers only the request before it", async () => {
    for (const after of ["GARBAGE\r\n\r\n", "GET /after-close HTTP/1.1\r\nhost: x\r\n\r\n"]) {
      const { body, headers } = signed();
      const closing = httpRequest("POST", "/closing", headers, body).toString("latin1");
      expect(closing).toContain("connection: close\r\n");
      const before = count();
      const socket = await openSocket(receiver.port);
      const answered = textUntilClosed(socket);
      socket.write(Buffer.from(`${closing}${after}`, "latin1"));
      const text = await answered;
      expect(text.match(/HTTP\/1\.1 \d{3}/g), text).toEqual(["HTTP/1.1 200"]);
      await waitUntil(() => count() === before + 2);
      const [first, second] = requestStore(db).list({ limit: 2 }).reverse();
      expect(first).toMatchObject({ path: "/closing", statusCode: 200 });
      expect(second).toMatchObject({ method: after.startsWith("GET") ? "GET" : "", path: after.startsWith("GET") ? "/after-close" : "", statusCode: 400 });
      expect(second?.rejection).toMatch(/Connection: close.*not answered/);
      expect(requestStore(db).find(String(second?.id))?.body.toString("latin1")).toBe(after);
    }
  });

  it("answers pipelined requests before a CONNECT after them, then refuses the CONNECT", async () => {
    const before = count();
    const requests = pipelined(3, "/before-connect");
    const socket = await openSocket(receiver.port);
    const answered = textUntilClosed(socket);
    socket.write(Buffer.from(`${requests}CONNECT a:1 HTTP/1.1\r\nhost: a:1\r\n\r\n`, "latin1"));
    const text = await answered;
    expect(text.match(/HTTP\/1\.1 \d{3}/g), text).toEqual([...Array(3).fill("HTTP/1.1 200"), "HTTP/1.1 405"]);
    await waitUntil(() => count() === before + 4);
  });

  it("keeps the method, path and headers of a request the parser refuses (Transfer-Encoding with Content-Length, a lowercase method)", async () => {
    const { body, headers } = signed();
    const head = ["POST /smuggled HTTP/1.1", "host: x", ...headers.map(([name, value]) => `${name}: ${value}`), "transfer-encoding: chunked", `content-length: ${body.length}`];
    const smuggled = Buffer.concat([Buffer.from(`${head.join("\r\n")}\r\n\r\n`), body]);
    expect((await rawRequest(receiver.port, smuggled)).status).toBe(400);
    await waitUntil(() => newest().path === "/smuggled");
    const row = newest();
    expect(row).toMatchObject({ method: "POST", path: "/smuggled", statusCode: 400 });
    expect(row.headers).toContainEqual(["x-pinwheel-signature", headers[1]![1]]);
    expect(row.headers).toContainEqual(["transfer-encoding", "chunked"]);

    expect((await rawRequest(receiver.port, Buffer.from("post /lowercase HTTP/1.1\r\nhost: x\r\nauthorization: Bearer s3cret\r\n\r\n"))).status).toBe(400);
    await waitUntil(() => newest().path === "/lowercase");
    expect(newest()).toMatchObject({ method: "post", path: "/lowercase", statusCode: 400 });
    expect(newest().headers).toContainEqual(["authorization", "[redacted]"]);
  });

  it("redacts a credential folded onto a continuation line of a request the parser refuses (obs-fold)", async () => {
    // Node refuses obs-fold with 400; the row is built from the raw head, where the folded
    // line " user:s3cret" would otherwise read as a header "user" of its own, in the clear.
    const head = "POST /folded HTTP/1.1\r\nhost: x\r\nauthorization: Basic\r\n user:s3cret\r\nx-note: a\r\n\tb:c\r\ncontent-length: 2\r\n\r\n{}";
    expect((await rawRequest(receiver.port, Buffer.from(head, "latin1"))).status).toBe(400);
    await waitUntil(() => newest().path === "/folded");
    const row = newest();
    expect(JSON.stringify(row.headers)).not.toContain("s3cret");
    expect(row.headers).toEqual([
      ["host", "x"],
      ["authorization", "[redacted]"],
      ["x-note", "a b:c"],
      ["content-length", "2"],
    ]);
  });

  it("stores and answers a request without a Host header (node alone answers 400 and stores nothing)", async () => {
    const before = count();
    const { body, headers } = signed();
    const head = [`POST /no-host HTTP/1.1`, ...headers.map(([name, value]) => `${name}: ${value}`), `content-length: ${body.length}`, "connection: close"];
    const answer = await rawRequest(receiver.port, Buffer.concat([Buffer.from(`${head.join("\r\n")}\r\n\r\n`), body]));
    expect(answer.status).toBe(200);
    expect(count()).toBe(before + 1);
    expect(newest()).toMatchObject({ path: "/no-host", statusCode: 200, verification: "verified" });
  });

  it("reads every header up to the 16 KiB limit, not node's first 1,000 (the signature came last)", async () => {
    const { body, headers } = signed();
    const many = Array.from({ length: 1100 }, (_, index) => [`x${index}`, "1"] as [string, string]);
    const answer = await rawRequest(receiver.port, httpRequest("POST", "/many-headers", [...many, ...headers], body));
    expect(answer.status).toBe(200);
    const row = newest();
    expect(row).toMatchObject({ path: "/many-headers", verification: "verified" });
    expect(row.headers.filter(([name]) => /^x\d+$/.test(name))).toHaveLength(1100);
  });
});

describe("requests from web pages", () => {
  it.each([
    ["a cross-site text/plain POST", [["origin", "https://evil.example"], ["sec-fetch-site", "cross-site"], ["content-type", "text/plain"]]],
    ["an Origin header alone", [["origin", "null"]]],
    ["Sec-Fetch-Site: same-site", [["sec-fetch-site", "same-site"]]],
  ] as [string, [string, string][]][])("refuses %s with a stored 403, with --skip-verify too", async (_, browserHeaders) => {
    for (const server of [skipping, receiver]) {
      const before = count();
      const { body, headers } = signed();
      const answer = await rawRequest(server.port, httpRequest("POST", "/hook", [...headers, ...browserHeaders], body));
      expect(answer.status).toBe(403);
      expect(answer.text).toMatch(/browser_request/);
      expect(count()).toBe(before + 1);
      expect(newest()).toMatchObject({ statusCode: 403, verification: "not_checked" });
    }
  });

  it("accepts Sec-Fetch-Site: none (typed by the user) and same-origin", async () => {
    for (const site of ["none", "same-origin"]) {
      const { body, headers } = signed();
      const answer = await rawRequest(receiver.port, httpRequest("POST", "/hook", [...headers, ["sec-fetch-site", site]], body));
      expect(answer.status).toBe(200);
    }
  });
});

/** A receiver whose every answer takes `delayMs` once stored, as listen --forward-status waits on the app. */
function answeringAfter(delayMs: number, limits?: ReceiverLimits): Promise<Receiver> {
  return startReceiver(
    receiverOptions(join(dir, "events.db"), SECRET, { respond: () => new Promise((resolve) => setTimeout(() => resolve(undefined), delayMs)), limits }),
  );
}

describe("a client that half-closes its connection after sending", () => {
  let slow: Receiver;
  beforeAll(async () => {
    // The client's FIN comes before the answers.
    slow = await answeringAfter(150);
  });
  afterAll(() => slow.close());

  it("still gets the answers its stored rows record (node alone ends the socket at the FIN and drops them)", async () => {
    const before = count();
    const requests = pipelined(3, "/half-closed");
    const socket = await openSocket(slow.port);
    const answered = textUntilClosed(socket);
    socket.end(Buffer.from(requests, "latin1"));
    const text = await answered;
    expect(text.match(/HTTP\/1\.1 \d{3}/g), text).toEqual(Array(3).fill("HTTP/1.1 200"));
    await waitUntil(() => count() === before + 3);
  });
});

describe("a refused request behind answers that take too long", () => {
  let slow: Receiver;
  beforeAll(async () => {
    slow = await answeringAfter(1500, { ...DEFAULT_LIMITS, owedAnswersWaitMs: 200 });
  });
  afterAll(() => slow.close());

  it("closes the connection without its 400, which the client would read as the answer to the genuine event before it", async () => {
    const before = count();
    const { body, headers } = signed();
    const genuine = httpRequest("POST", "/genuine-then-garbage", headers, body).toString("latin1").replace("connection: close\r\n", "");
    const socket = await openSocket(slow.port);
    const answered = textUntilClosed(socket);
    socket.write(Buffer.from(`${genuine}GARBAGE\r\n\r\n`, "latin1"));
    expect(await answered).not.toMatch(/HTTP\/1\.1 400/);
    await waitUntil(() => count() === before + 2);
    const rows = requestStore(db).list({ limit: 2 }).reverse();
    expect(rows.map((row) => row.statusCode)).toEqual([200, 400]);
    expect(rows[1]?.rejection).toMatch(/not answered: the answers owed before it/);
  });
});

describe("a refusal whose row cannot be stored", () => {
  it("is answered 503 not_stored, as any request that could not be stored, never the refusal its row would have recorded", async () => {
    const failingDir = mkdtempSync(join(tmpdir(), "pinwheel-refusal-not-stored-"));
    const failingDb = openDatabase(join(failingDir, "events.db"));
    const errors: unknown[] = [];
    const failing = await startReceiver(
      receiverOptions(join(failingDir, "events.db"), SECRET, { commitHereUpTo: 1000, onStoreError: (error) => errors.push(error) }),
    );
    try {
      // Every insert fails from here on, as on a full disk (the writers have connections of their own).
      failingDb.exec("ALTER TABLE requests RENAME TO requests_away");
      const answer = await rawRequest(failing.port, Buffer.from("FOO /refused HTTP/1.1\r\nHost: x\r\n\r\n"));
      expect(answer.status).toBe(503);
      expect(answer.text).toContain('"error":"not_stored"');
      expect(errors).toHaveLength(1);
    } finally {
      await failing.close();
      failingDb.close();
      rmSync(failingDir, { recursive: true, force: true });
    }
  });
});
