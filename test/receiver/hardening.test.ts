import { mkdtempSync, rmSync } from "node:fs";
import type { Socket } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import fc from "fast-check";
import { request } from "undici";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startReceiver, type Receiver } from "../../src/receiver/server.js";
import { signWebhook } from "../../src/signing.js";
import { openDatabase, type Db } from "../../src/store/database.js";
import { requestStore } from "../../src/store/requests.js";
import { httpRequest, openSocket, rawRequest, textUntilClosed } from "../helpers/raw-client.js";
import { waitUntil } from "../helpers/wait.js";
import { receiverOptions } from "../helpers/receiver.js";
import { newestStored } from "../helpers/stored-requests.js";

const SECRET = "hardening-secret";
const ANSWERS_AS_SPECIFIED = new Set([200, 400, 401, 405, 408, 413, 431]);

let dir: string;
let db: Db;
let receiver: Receiver;

function rows(): number {
  return requestStore(db).count();
}

function signedEnvelope(eventId = crypto.randomUUID(), timestamp = String(Math.floor(Date.now() / 1000))) {
  const body = Buffer.from(JSON.stringify({ event: "income.added", event_id: eventId, payload: { account_id: "a" } }));
  return { body, headers: { "x-timestamp": timestamp, "x-pinwheel-signature": signWebhook(SECRET, timestamp, body) } };
}

async function stillResponsive(): Promise<void> {
  const { body, headers } = signedEnvelope();
  const response = await request(receiver.url, { method: "POST", body, headers: { ...headers, "content-type": "application/json" } });
  await response.body.dump();
  expect(response.statusCode).toBe(200);
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), "pinwheel-hardening-"));
  db = openDatabase(join(dir, "events.db"));
  // As listen runs it, with its file: rows committed by the worker thread past one connection.
  receiver = await startReceiver(
    receiverOptions(join(dir, "events.db"), SECRET, { limits: { headersTimeoutMs: 400, requestTimeoutMs: 1500, maxConnections: 16 } }),
  );
});

afterAll(async () => {
  await receiver.close();
  db.close();
  rmSync(dir, { recursive: true, force: true });
});

const method = fc.constantFrom("POST", "POST", "POST", "GET", "PUT", "DELETE", "PATCH", "OPTIONS", "BREW", "post");
const path = fc.constantFrom("/", "/webhooks/pinwheel", "/a/../b", "/%ff%fe", "/?q=1&q=2", `/${"x".repeat(3000)}`);
const headerValue = fc.oneof(
  fc.string({ maxLength: 40 }).map((s) => s.replace(/[\r\n]/g, "")),
  fc.constant("Zoë ☕ 日本"),
  fc.constant("x".repeat(20_000)),
  fc.uint8Array({ maxLength: 30 }).map((bytes) => Buffer.from(bytes.filter((b) => b !== 10 && b !== 13))),
);
const headers = fc.array(
  fc.tuple(fc.constantFrom("x-pinwheel-signature", "x-timestamp", "x-pinwheel-webhook-id", "content-type", "x-random", "x-timestamp"), headerValue),
  { maxLength: 6 },
);
const body = fc.oneof(
  fc.constant(Buffer.alloc(0)),
  fc.uint8Array({ maxLength: 512 }).map((bytes) => Buffer.from(bytes)),
  fc.constant(Buffer.from([0xff, 0xfe, 0x7b, 0x22, 0xc3, 0x28])),
  fc.constant(Buffer.from("[".repeat(50_000) + "]".repeat(50_000))),
  fc.constant(Buffer.from(`{"event":"a","event_id":"b","payload":${"{\"x\":".repeat(2000)}1${"}".repeat(2000)}}`)),
  fc.json().map((text) => Buffer.from(text)),
);

describe("the receiver under hostile input", () => {
  it("answers every request with a specified status, stores each, and stays responsive", async () => {
    await fc.assert(
      fc.asyncProperty(method, path, headers, body, fc.boolean(), async (m, p, h, b, signed) => {
        const before = rows();
        const timestamp = String(Math.floor(Date.now() / 1000));
        const signature: [string, string][] = signed
          ? [["x-timestamp", timestamp], ["x-pinwheel-signature", signWebhook(SECRET, timestamp, b)]]
          : [];
        const answer = await rawRequest(receiver.port, httpRequest(m, p, [...signature, ...h], b));
        expect(answer.status === null ? "no answer" : answer.status).toSatisfy((s: unknown) => ANSWERS_AS_SPECIFIED.has(s as number));
        expect(rows()).toBe(before + 1);
      }),
      { numRuns: 200, seed: 20261123, interruptAfterTimeLimit: 15_000, reporter: (run) => { if (run.failed) throw new Error(`fuzz failed (seed ${run.seed}, path ${run.counterexamplePath}): ${String(run.errorInstance).slice(0, 500)}; input: ${JSON.stringify(run.counterexample).slice(0, 300)}`); } },
    );
    await stillResponsive();
  }, 30_000);

  it("refuses a body of 1 MiB + 1 with 413 and stores its size", async () => {
    const big = Buffer.alloc(1024 * 1024 + 1, 0x61);
    const answer = await rawRequest(receiver.port, httpRequest("POST", "/", [], big));
    expect(answer.status).toBe(413);
    const [row] = requestStore(db).list({ limit: 1 });
    expect(row?.statusCode).toBe(413);
    expect(row?.bodySize).toBe(big.length);
    expect(row?.bodyTruncated).toBe(true);
  });

  it.each([
    ["milliseconds", () => String(Date.now()), "stale_timestamp", /milliseconds/],
    ["beyond the tolerance in the future", () => String(Math.floor(Date.now() / 1000) + 3600), "stale_timestamp", /in the future/],
    ["negative", () => "-1700000000", "malformed_timestamp", /seconds/],
    ["not a number", () => "yesterday", "malformed_timestamp", /seconds/],
  ])("refuses a timestamp in %s with its reason", async (_, timestamp, reason, detail) => {
    const { body, headers } = signedEnvelope(crypto.randomUUID(), timestamp());
    const response = await request(receiver.url, { method: "POST", body, headers });
    const answer = (await response.body.json()) as { error: string; message: string };
    expect(response.statusCode).toBe(401);
    expect(answer.error).toBe(reason);
    const [row] = requestStore(db).list({ limit: 1 });
    expect(row?.verification).toBe(reason);
    expect(row?.verificationDetail).toMatch(detail);
  });

  it("times out a slowloris client with 408 while serving others", async () => {
    const before = rows();
    const slow = await openSocket(receiver.port);
    const answered = textUntilClosed(slow);
    slow.write("POST / HTTP/1.1\r\nhost: x\r\n");
    const drip = setInterval(() => slow.writable && slow.write("x-drip: 1\r\n"), 100);
    await stillResponsive();
    const text = await answered;
    clearInterval(drip);
    expect(text).toMatch(/^HTTP\/1\.1 408/);
    expect(rows()).toBeGreaterThanOrEqual(before + 2);
  });

  it("answers 503 past the connection cap, then recovers", async () => {
    const idle: Socket[] = [];
    try {
      for (let i = 0; i < 16; i++) {
        idle.push(await openSocket(receiver.port));
      }
      // A genuine event past the cap: refused, and stored as refused, never as received.
      const before = rows();
      const eventId = crypto.randomUUID();
      const { body, headers } = signedEnvelope(eventId);
      const answer = await rawRequest(receiver.port, httpRequest("POST", "/over-cap", Object.entries(headers), body));
      expect(answer.status).toBe(503);
      expect(answer.text).toMatch(/too_many_connections/);
      expect(rows()).toBe(before + 1);
      const stored = newestStored(db);
      expect(stored).toMatchObject({ path: "/over-cap", statusCode: 503, verification: "not_checked" });
      expect(stored.rejection).toMatch(/connection limit/);
      expect(stored.body.equals(body)).toBe(true);
      // Connections past the cap are not counted, so what each may make the receiver hold is small:
      // a large body is kept to its first 64 KiB, its size recorded.
      const large = Buffer.alloc(200_000, 0x20);
      const refused = await rawRequest(receiver.port, httpRequest("POST", "/over-cap-large", Object.entries(headers), large));
      expect(refused.status).toBe(503);
      const kept = newestStored(db);
      expect(kept).toMatchObject({ path: "/over-cap-large", statusCode: 503, bodySize: 200_000, bodyTruncated: true });
      expect(kept.body.length).toBe(64 * 1024);

      // Two requests pipelined on a connection past the cap: the first is answered 503 and the
      // connection closed, so the second gets no answer, and its row must not claim one.
      const pipelined = await openSocket(receiver.port);
      const received = textUntilClosed(pipelined);
      const small = (path: string) => `POST ${path} HTTP/1.1\r\nhost: x\r\ncontent-length: 2\r\n\r\n{}`;
      pipelined.write(small("/over-cap-first") + small("/over-cap-second"));
      const text = await received;
      expect(text.match(/HTTP\/1\.1 \d{3}/g), text).toEqual(["HTTP/1.1 503"]);
      await waitUntil(() => newestStored(db).path === "/over-cap-second");
      const [second, first] = requestStore(db).list({ limit: 2 });
      expect(first).toMatchObject({ path: "/over-cap-first", statusCode: 503 });
      expect(first?.rejection).not.toMatch(/not answered/);
      expect(second?.rejection).toMatch(/^not answered: /);
    } finally {
      for (const socket of idle) socket.destroy();
    }
    // Room for one more connection once the receiver has seen the idle ones close.
    await waitUntil(() => new Promise<boolean>((resolve) => receiver.server.getConnections((error, open) => resolve(!error && open < 16))));
    await stillResponsive();
  });
});
