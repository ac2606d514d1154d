/**
 * Where a real receiver commits: on its own thread while one connection is open, in the commit
 * worker once several are, and back on its thread when they have gone; every request stored.
 */
import { Agent, request } from "node:http";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startReceiver, type Receiver } from "../../src/receiver/server.js";
import { signedHeaders } from "../../src/signing.js";
import { openDatabase, type Db } from "../../src/store/database.js";
import { requestStore } from "../../src/store/requests.js";
import { waitUntil } from "../helpers/wait.js";
import { receiverOptions } from "../helpers/receiver.js";

const SECRET = "commit-policy-secret";
let dir: string;
let db: Db;
let receiver: Receiver;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), "pinwheel-commit-policy-"));
  db = openDatabase(join(dir, "events.db"));
  receiver = await startReceiver(receiverOptions(join(dir, "events.db"), SECRET));
});

afterAll(async () => {
  await receiver.close();
  db.close();
  rmSync(dir, { recursive: true, force: true });
});

function post(agent: Agent): Promise<number> {
  const body = Buffer.from(JSON.stringify({ event: "income.added", event_id: crypto.randomUUID(), payload: { account_id: "a" } }));
  return new Promise((resolve, reject) => {
    const sent = request(receiver.url, { method: "POST", agent, headers: signedHeaders(SECRET, body) }, (response) => {
      response.resume();
      response.on("end", () => resolve(response.statusCode ?? 0));
    });
    sent.on("error", reject);
    sent.end(body);
  });
}

const openConnections = () => new Promise<number>((resolve, reject) => receiver.server.getConnections((error, n) => (error ? reject(error) : resolve(n))));

async function sequentially(agent: Agent, times: number): Promise<number[]> {
  const statuses: number[] = [];
  for (let i = 0; i < times; i++) statuses.push(await post(agent));
  return statuses;
}

describe("the receiver's commit policy under real connections", () => {
  it("commits a lone sender's rows itself, hands them to the worker under a load of many connections, and takes them back when it has gone", async () => {
    const lone = new Agent({ keepAlive: true, maxSockets: 1 });
    const many = new Agent({ keepAlive: true, maxSockets: 8 });
    try {
      expect(await sequentially(lone, 5)).toEqual([200, 200, 200, 200, 200]);
      expect({ ...receiver.batches }).toEqual({ here: 5, worker: 0 });

      const load = await Promise.all(Array.from({ length: 8 }, () => sequentially(many, 6)));
      expect(load.flat().every((status) => status === 200)).toBe(true);
      expect(receiver.batches.worker).toBeGreaterThan(0);

      many.destroy();
      await waitUntil(async () => (await openConnections()) <= 1);
      const before = { ...receiver.batches };
      expect(await sequentially(lone, 3)).toEqual([200, 200, 200]);
      expect(receiver.batches).toEqual({ here: before.here + 3, worker: before.worker });
      expect(requestStore(db).count({ verdict: "verified" })).toBe(5 + 48 + 3);
    } finally {
      lone.destroy();
      many.destroy();
    }
  });
});
