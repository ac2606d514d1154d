import { join } from "node:path";
import Database from "better-sqlite3";
import { Agent, request } from "undici";
import { afterEach, describe, expect, it } from "vitest";
import { signWebhook } from "../../src/signing.js";
import { startListen, tempHome, type Listener, type TempHome } from "../helpers/cli.js";

const SECRET = "durability-secret";

let home: TempHome | undefined;
let listeners: Listener[] = [];
afterEach(async () => {
  await Promise.all(listeners.map((l) => l.stop("SIGKILL")));
  listeners = [];
  home?.cleanup();
});

function signed(eventId: string) {
  const body = JSON.stringify({ event: "income.added", event_id: eventId, payload: { account_id: "acct" } });
  const timestamp = String(Math.floor(Date.now() / 1000));
  return { body, headers: { "content-type": "application/json", "x-timestamp": timestamp, "x-pinwheel-signature": signWebhook(SECRET, timestamp, body) } };
}

describe("listen killed with SIGKILL under load", () => {
  it("keeps every event it answered 200, and the restarted listen works on the same file", async () => {
    home = tempHome();
    const db = join(home.home, "durable.db");
    const listener = await startListen(["--db", db, "--secret", SECRET], home.env);
    listeners.push(listener);

    const agent = new Agent({ connections: 32 });
    const acknowledged: string[] = [];
    let sent = 0;
    let killed = false;
    const deadline = Date.now() + 12_000;
    const lanes = Array.from({ length: 32 }, async () => {
      while (!killed && Date.now() < deadline && sent < 20_000) {
        const eventId = `evt-${sent++}`;
        try {
          const { body, headers } = signed(eventId);
          const response = await request(listener.url, { method: "POST", body, headers, dispatcher: agent });
          await response.body.dump();
          if (response.statusCode === 200) acknowledged.push(eventId);
        } catch {
          // the kill cuts requests in flight: those were never answered, so they promise nothing
        }
      }
    });
    // Kill mid-stream, once a good number of events have been acknowledged (fewer on a loaded machine).
    while (acknowledged.length < 1000 && Date.now() < deadline - 2000) await new Promise((r) => setTimeout(r, 20));
    listener.process.kill("SIGKILL");
    killed = true;
    await Promise.all(lanes);
    await agent.close();
    expect(acknowledged.length).toBeGreaterThanOrEqual(100);

    const reader = new Database(db, { readonly: true });
    const stored = new Set(
      reader.prepare("SELECT event_id FROM requests WHERE status_code = 200").pluck().all() as string[],
    );
    reader.close();
    const lost = acknowledged.filter((id) => !stored.has(id));
    expect(lost).toEqual([]);

    const restarted = await startListen(["--db", db, "--secret", SECRET], home.env);
    listeners.push(restarted);
    const { body, headers } = signed("after-restart");
    const response = await request(restarted.url, { method: "POST", body, headers });
    expect(response.statusCode).toBe(200);
    await response.body.dump();
  }, 40_000);
});

describe("listen while another SQLite client opens and closes the store", () => {
  it("keeps its lock on the file, so that client never deletes the write-ahead log listen commits into; what it answered survives SIGKILL", async () => {
    home = tempHome();
    const db = join(home.home, "shared.db");
    const listener = await startListen(["--db", db, "--secret", SECRET], home.env);
    listeners.push(listener);
    const send = async (eventId: string) => {
      const { body, headers } = signed(eventId);
      const response = await request(listener.url, { method: "POST", body, headers });
      await response.body.dump();
      expect(response.statusCode).toBe(200);
    };
    await send("before-the-other-client");

    // What SQLite does as a connection closes (the sqlite3 shell, Python's sqlite3): if it can take
    // the file exclusively, it is the last one, and deletes the -wal and -shm files.
    const other = new Database(db);
    other.pragma("busy_timeout = 0");
    other.pragma("locking_mode = EXCLUSIVE");
    let taken = true;
    try {
      other.exec("BEGIN EXCLUSIVE");
      other.exec("ROLLBACK");
    } catch (error) {
      taken = false;
      expect((error as { code?: string }).code).toBe("SQLITE_BUSY");
    }
    other.close();
    expect(taken).toBe(false);

    const answered = Array.from({ length: 5 }, (_, index) => `after-the-other-client-${index}`);
    for (const eventId of answered) await send(eventId);
    // At once, before listen's checkpointer (once a second) could copy its log into the file.
    listener.process.kill("SIGKILL");
    await listener.stop("SIGKILL");

    const reader = new Database(db, { readonly: true });
    const stored = reader.prepare("SELECT event_id FROM requests").pluck().all() as string[];
    reader.close();
    expect(stored).toEqual(expect.arrayContaining(["before-the-other-client", ...answered]));
  }, 40_000);
});
