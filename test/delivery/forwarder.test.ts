/**
 * listen --forward-to's forwarder under abuse: what waits on the app is bounded (count and bytes,
 * the rest recorded as abandoned), and a full disk is reported once and never thrown at close.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createServer } from "node:http";
import { createServer as createNetServer, type Socket } from "node:net";
import type { AddressInfo } from "node:net";
import { afterEach, beforeEach, describe, expect, it, onTestFinished } from "vitest";
import { createForwarder, FORWARD_MARKER_HEADER, MAX_FORWARD_HOPS, type Forwarder } from "../../src/delivery/forwarder.js";
import { openDatabase, type Db } from "../../src/store/database.js";
import { deliveryStore } from "../../src/store/deliveries.js";
import { requestStore, type StoredRequest } from "../../src/store/requests.js";
import { storedRow } from "../helpers/stored-requests.js";
import { useRecordingServers } from "../helpers/servers.js";
import { waitUntil } from "../helpers/wait.js";

let dir: string;
let db: Db;
const forwarders: Forwarder[] = [];
const server = useRecordingServers();

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), "pinwheel-forwarder-"));
  db = openDatabase(join(dir, "events.db"));
});
afterEach(async () => {
  for (const forwarder of forwarders.splice(0)) {
    forwarder.abandon();
    await forwarder.close();
  }
  db.close();
  rmSync(dir, { recursive: true, force: true });
});

function stored(bodyBytes = 60): StoredRequest {
  const eventId = crypto.randomUUID();
  // The byte caps are what these tests measure: a body padded to the size asked for.
  const text = JSON.stringify({ event: "income.added", event_id: eventId, payload: { account_id: "a" } });
  const body = Buffer.from(text.padEnd(bodyBytes, " "));
  return requestStore(db).insert(storedRow(eventId, { body, bodySize: body.length, headers: [], accountId: "a" }));
}

function forwarder(url: string, options: Partial<Parameters<typeof createForwarder>[0]> = {}): Forwarder {
  const created = createForwarder({ db, url, secret: "forward-secret", timeoutMs: 10_000, ...options });
  forwarders.push(created);
  return created;
}

describe("the forward queue", () => {
  it("past --forward-queue forwards waiting on a hung app, records the next as abandoned at once", async () => {
    const hung = await server(() => ({ status: 200, delayMs: 60_000 }));
    const forwarding = forwarder(hung.url, { queue: { forwards: 2 } });
    void forwarding.forward(stored());
    void forwarding.forward(stored());
    const third = stored();
    const report = await forwarding.forward(third);
    expect(report.shed).toBe(true);
    expect(report.ok).toBe(false);
    expect(report.final.error).toMatch(/^abandoned: not forwarded, 2 forwards are already waiting on the app \(--forward-queue\)/);
    forwarding.abandon();
    await forwarding.close();
    const [row] = deliveryStore(db).list({ eventId: third.eventId! });
    expect(row).toMatchObject({ source: "forward", requestId: third.id, statusCode: null, error: report.final.error });
  });

  it("past --forward-queue-mb of bodies, records the next as abandoned; once the app answers, forwards go again", async () => {
    let hold = true;
    const slow = await server(() => ({ status: 200, delayMs: hold ? 60_000 : 0 }));
    const forwarding = forwarder(slow.url, { queue: { bytes: 1000 } });
    void forwarding.forward(stored(600));
    const over = await forwarding.forward(stored(600));
    expect(over.shed).toBe(true);
    expect(over.final.error).toMatch(/MiB of bodies \(--forward-queue-mb/);
    // A small one still fits.
    hold = false;
    const small = await forwarding.forward(stored(300));
    expect(small.ok).toBe(true);
  });
});

describe("abandoning (Ctrl+C)", () => {
  it("ends the forwards queued behind busy connections without opening a connection for each", async () => {
    // A raw server that never answers: it only counts the connections it is offered.
    let connections = 0;
    const sockets = new Set<Socket>();
    const app = createNetServer((socket) => {
      connections++;
      sockets.add(socket);
      socket.on("error", () => {});
      socket.on("close", () => sockets.delete(socket));
    });
    await new Promise<void>((resolve) => app.listen(0, "127.0.0.1", resolve));
    onTestFinished(() => {
      for (const socket of sockets) socket.destroy();
      return new Promise<void>((resolve) => app.close(() => resolve()));
    });
    const url = `http://127.0.0.1:${(app.address() as AddressInfo).port}/`;
    const forwarding = forwarder(url);
    // 32 connections to the app; the other 28 forwards wait in the sender's queue.
    const requests = Array.from({ length: 60 }, () => stored());
    const reports = requests.map((request) => forwarding.forward(request));
    await waitUntil(() => connections === 32);
    expect(forwarding.abandon()).toBe(60);
    await forwarding.close();
    const errors = (await Promise.all(reports)).map((report) => report.final.error);
    expect(new Set(errors)).toEqual(new Set(["abandoned: listen was stopping"]));
    for (const request of requests) expect(deliveryStore(db).list({ eventId: request.eventId! })).toHaveLength(1);
    // Before: each queued forward got a connection of its own, only to be ended on it.
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(connections).toBe(32);
  });
});

describe("forward loops", () => {
  it("two listeners forwarding to each other stop at the first that sees its own id come back", async () => {
    const app = await server(() => ({ status: 200 }));
    const a = forwarder(app.url);
    const b = forwarder(app.url);
    const markerOf = (index: number) => {
      const header = Object.entries(app.requests[index]!.headers).find(([name]) => name === FORWARD_MARKER_HEADER);
      return String(header?.[1]);
    };
    const arrivingWith = (marker: string) => {
      const request = stored();
      request.headers = [[FORWARD_MARKER_HEADER, marker]];
      return request;
    };
    // A forwards a delivery from Pinwheel; B receives A's forward and forwards it on, adding its own id.
    expect((await a.forward(stored())).ok).toBe(true);
    const fromA = arrivingWith(markerOf(0));
    expect(b.cameBack(fromA)).toBe(false);
    expect(b.accepts(fromA)).toBe(true);
    expect((await b.forward(fromA)).ok).toBe(true);
    expect(markerOf(1)).toBe(`${markerOf(0)}, ${markerOf(1).split(", ")[1]}`);
    // B's forward reaches A again: A finds its own id and stops there.
    const backAtA = arrivingWith(markerOf(1));
    expect(a.cameBack(backAtA)).toBe(true);
    expect(a.accepts(backAtA)).toBe(false);
    // Past MAX_FORWARD_HOPS listeners, none forwards again, whosever ids they are.
    const long = arrivingWith(Array.from({ length: MAX_FORWARD_HOPS }, () => crypto.randomUUID()).join(", "));
    expect(a.accepts(long)).toBe(false);
  });
});

describe("a full disk", () => {
  it("reports an attempt that could not be recorded once, and closes cleanly once space is back", async () => {
    // Answers of 2 KiB make each attempt row need room of its own.
    const app = createServer((request, response) => {
      request.resume();
      request.on("end", () => response.end("z".repeat(4096)));
    });
    await new Promise<void>((resolve) => app.listen(0, "127.0.0.1", resolve));
    onTestFinished(() => new Promise<void>((resolve) => app.close(() => resolve())));
    const url = `http://127.0.0.1:${(app.address() as AddressInfo).port}/`;
    const errors: unknown[] = [];
    const forwarding = forwarder(url, { onRecordError: (error) => errors.push(error) });
    const requests = [stored(), stored(), stored(), stored(), stored()];
    // SQLite's own "database or disk is full", as a full disk gives it.
    const pages = db.pragma("page_count", { simple: true }) as number;
    db.pragma(`max_page_count = ${pages}`);
    for (const request of requests) {
      expect((await forwarding.forward(request)).ok).toBe(true);
      // Past the recorder's 200 ms, so each attempt is its own write.
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
    expect(errors).toHaveLength(1);
    expect(String((errors[0] as Error).message)).toMatch(/full/);
    db.pragma("max_page_count = 1073741823");
    const later = stored();
    expect((await forwarding.forward(later)).ok).toBe(true);
    await expect(forwarding.close()).resolves.toBeUndefined();
    expect(deliveryStore(db).list({ eventId: later.eventId! })).toHaveLength(1);
    expect(errors).toHaveLength(1);
  });
});
