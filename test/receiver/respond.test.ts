/**
 * An answer of the caller's own (listen --forward-status answers with the app's status): the row
 * records it, committed before the answer, without stalling the event loop on a lock held elsewhere.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { startReceiver, type Receiver, type ReceiverOptions } from "../../src/receiver/server.js";
import { signWebhook } from "../../src/signing.js";
import { openDatabase, type Db } from "../../src/store/database.js";
import { requestStore } from "../../src/store/requests.js";
import { httpRequest, openSocket, rawRequest, textUntilClosed } from "../helpers/raw-client.js";
import { receiverOptions } from "../helpers/receiver.js";
import { newestStored } from "../helpers/stored-requests.js";
import { waitUntil } from "../helpers/wait.js";

const SECRET = "respond-secret";
let dir: string;
let db: Db;
let receiver: Receiver | undefined;

function signedRequest(path: string): Buffer {
  const timestamp = String(Math.floor(Date.now() / 1000));
  const body = Buffer.from(JSON.stringify({ event: "income.added", event_id: crypto.randomUUID(), payload: { account_id: "a" } }));
  return httpRequest("POST", path, [["x-timestamp", timestamp], ["x-pinwheel-signature", signWebhook(SECRET, timestamp, body)]], body);
}

async function start(overrides: Partial<ReceiverOptions>): Promise<Receiver> {
  receiver = await startReceiver(receiverOptions(join(dir, "events.db"), SECRET, overrides));
  return receiver;
}

const storedStatus = (id: number) => requestStore(db).find(String(id))?.statusCode;
const answeredId = (text: string) => (JSON.parse(text.slice(text.indexOf("\r\n\r\n") + 4)) as { id: number }).id;

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), "pinwheel-respond-"));
  db = openDatabase(join(dir, "events.db"));
});

afterEach(async () => {
  await receiver?.close();
  receiver = undefined;
  db.close();
  rmSync(dir, { recursive: true, force: true });
});

describe("an answer of the caller's own", () => {
  it("is what the sender gets and what the row records", async () => {
    const { port } = await start({ respond: async (stored) => ({ statusCode: 502, body: { id: stored.id } }) });
    const answer = await rawRequest(port, signedRequest("/own"));
    expect(answer.status).toBe(502);
    expect(storedStatus(answeredId(answer.text))).toBe(502);
  });

  it("waits for a write lock held elsewhere without stalling the event loop, then records the answer before giving it", async () => {
    // Another process (events prune, a replay's attempt log) holds the write lock while the app answers.
    const holder = openDatabase(join(dir, "events.db"));
    const holdMs = 1200;
    let released = false;
    const pings: number[] = [];
    const { port } = await start({
      routes: (request, response) => {
        if (request.url !== "/ping") return false;
        response.end("pong");
        return true;
      },
      respond: async (stored) => {
        holder.exec("BEGIN IMMEDIATE");
        setTimeout(() => {
          holder.exec("COMMIT");
          released = true;
        }, holdMs);
        return { statusCode: 500, body: { id: stored.id } };
      },
    });
    try {
      const answered = rawRequest(port, signedRequest("/locked"));
      await new Promise((resolve) => setTimeout(resolve, 200));
      for (let round = 0; round < 3; round++) {
        const started = performance.now();
        const ping = await rawRequest(port, Buffer.from("GET /ping HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"));
        expect(ping.status).toBe(200);
        pings.push(performance.now() - started);
      }
      expect(released).toBe(false);
      expect(Math.max(...pings), `pings took ${pings.map(Math.round).join(", ")} ms`).toBeLessThan(400);
      const answer = await answered;
      expect(released).toBe(true);
      expect(answer.status).toBe(500);
      expect(storedStatus(answeredId(answer.text))).toBe(500);
    } finally {
      if (holder.inTransaction) holder.exec("ROLLBACK");
      holder.close();
    }
  });

  it("that cannot be recorded is not given: the sender gets 503 not_stored, to come back", async () => {
    const errors: unknown[] = [];
    const { port } = await start({
      onStoreError: (error) => errors.push(error),
      respond: async (stored) => {
        // Every write fails from here on, as on a full disk.
        db.exec("ALTER TABLE requests RENAME TO requests_away");
        return { statusCode: 500, body: { id: stored.id } };
      },
    });
    const answer = await rawRequest(port, signedRequest("/unrecorded"));
    expect(answer.status).toBe(503);
    expect(answer.text).toContain('"error":"not_stored"');
    // Its row is there (with the verdict's status): the answer does not say it was not stored.
    expect(answer.text).toContain("stored this request but could not record its answer");
    expect(answer.text).not.toContain("could not store this request");
    expect(errors).toHaveLength(1);
  });

  it("bytes sent after a Connection: close request while it waits for its answer are one row, its first packet kept and all of them counted", async () => {
    let release: () => void = () => {};
    const { port } = await start({
      // The answer waits (as on the app under --forward-status) while the sender keeps sending.
      respond: () => new Promise((resolve) => (release = () => resolve(undefined))),
    });
    const before = requestStore(db).count();
    const socket = await openSocket(port);
    const answered = textUntilClosed(socket);
    socket.write(signedRequest("/closing"));
    const chunk = Buffer.alloc(64 * 1024, "x");
    const chunks = 32;
    for (let index = 0; index < chunks; index++) {
      if (!socket.write(chunk)) await new Promise((resolve) => socket.once("drain", resolve));
    }
    await new Promise<void>((resolve) => socket.write("", () => resolve()));
    // Until listen has read what was written (a loopback socket takes it at once).
    await new Promise((resolve) => setTimeout(resolve, 300));
    release();
    expect((await answered).match(/HTTP\/1\.1 \d{3}/g)).toEqual(["HTTP/1.1 200"]);
    await waitUntil(() => requestStore(db).count() === before + 2);
    const after = newestStored(db);
    expect(after.rejection).toMatch(/Connection: close/);
    expect(after.bodySize).toBe(chunks * chunk.length);
    expect(after.bodyTruncated).toBe(true);
    expect(after.body.length).toBeLessThanOrEqual(chunk.length);
  });

  it("tells the caller, just before answering, the status it answers: its own once recorded, 503 when that could not be", async () => {
    const told: [number, number][] = [];
    let failNext = false;
    const { port } = await start({
      respond: async (stored) => {
        if (failNext) db.exec("ALTER TABLE requests RENAME TO requests_away");
        return { statusCode: 500, body: { id: stored.id }, answering: (statusCode) => told.push([stored.id, statusCode]) };
      },
    });
    const recorded = await rawRequest(port, signedRequest("/recorded"));
    expect(recorded.status).toBe(500);
    failNext = true;
    const unrecorded = await rawRequest(port, signedRequest("/unrecorded"));
    expect(unrecorded.status).toBe(503);
    // What shows the request (listen's line, the page) shows what was answered, never the status that went nowhere.
    expect(told).toEqual([
      [answeredId(recorded.text), 500],
      [answeredId(unrecorded.text), 503],
    ]);
  });
});
