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
import { httpRequest, rawRequest } from "../helpers/raw-client.js";
import { receiverOptions } from "../helpers/receiver.js";

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
    expect(errors).toHaveLength(1);
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
