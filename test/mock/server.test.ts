/**
 * The mock over real HTTP: Pinwheel's checks and shapes, and parity with the embedded registry
 * (the same calls give the same answers, ids and timestamps aside).
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { connect, type Socket } from "node:net";
import { join } from "node:path";
import { request } from "undici";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { createHttpWebhooksApi, type HttpWebhooksApi } from "../../src/api/client.js";
import { PinwheelApiError } from "../../src/api/errors.js";
import type { WebhooksApi } from "../../src/api/types.js";
import { startMockServer, type MockServer } from "../../src/mock/server.js";
import { apiKeyFingerprint } from "../../src/registry/api-key.js";
import { createLocalRegistry } from "../../src/registry/local.js";
import { openDatabase, type Db } from "../../src/store/database.js";

const SECRET = "mock-test-secret-0123456789";
let dir: string;
const dbs: Db[] = [];
let mock: MockServer;
let client: HttpWebhooksApi;

function registryOn(file: string) {
  const db = openDatabase(join(dir, file));
  dbs.push(db);
  return createLocalRegistry({ db, apiKey: apiKeyFingerprint(SECRET) });
}

beforeEach(async () => {
  dir = mkdtempSync(join(tmpdir(), "pinwheel-mock-"));
  mock = await startMockServer({ host: "127.0.0.1", port: 0, secret: SECRET, registry: registryOn("served.db") });
  client = createHttpWebhooksApi({ baseUrl: mock.url, secret: SECRET, apiVersion: "2025-07-08", timeoutMs: 2000 });
});

afterEach(async () => {
  await client.close();
  await mock.close();
  for (const db of dbs.splice(0)) db.close();
  rmSync(dir, { recursive: true, force: true });
});

async function raw(method: string, path: string, headers: Record<string, string>, body?: string) {
  const response = await request(`${mock.url}${path}`, { method: method as "GET", headers, body });
  return { status: response.statusCode, json: (await response.body.json()) as { error?: Record<string, unknown> } };
}

const AUTH = { "x-api-secret": SECRET, "pinwheel-version": "2025-07-08" };

describe("stopping", () => {
  it("stops at once with a connection that never sent a byte open (a browser's preconnect), and cuts off a request still arriving after its grace", async () => {
    const { port } = new URL(mock.url);
    const open = (): Promise<Socket> =>
      new Promise((resolve, reject) => {
        const socket = connect(Number(port), "127.0.0.1", () => resolve(socket));
        socket.once("error", reject);
      });
    const silent = await open();
    const silentClosed = new Promise((resolve) => silent.once("close", resolve));
    const started = Date.now();
    // Node counts it busy, not idle: the stop waited until the client closed it.
    await mock.close();
    expect(Date.now() - started).toBeLessThan(1_000);
    await silentClosed;

    mock = await startMockServer({ host: "127.0.0.1", port: 0, secret: SECRET, registry: registryOn("stopping.db") });
    const slow = await new Promise<Socket>((resolve, reject) => {
      const socket = connect(Number(new URL(mock.url).port), "127.0.0.1", () => resolve(socket));
      socket.once("error", reject);
    });
    slow.on("error", () => {});
    slow.write(`POST /v1/webhooks HTTP/1.1\r\nHost: 127.0.0.1\r\ncontent-length: 100\r\n\r\n{"url":`);
    await new Promise((resolve) => setTimeout(resolve, 50));
    const cutAt = Date.now();
    await mock.close();
    expect(Date.now() - cutAt).toBeGreaterThanOrEqual(1_500);
    expect(Date.now() - cutAt).toBeLessThan(5_000);
    // afterEach closes it again: a closed server's close() must still resolve.
    mock = await startMockServer({ host: "127.0.0.1", port: 0, secret: SECRET, registry: registryOn("after.db") });
  }, 15_000);
});

describe("bounds", () => {
  it("closes a connection past maxConnections unanswered and reports it, and answers again once one closes", async () => {
    const dropped: number[] = [];
    const bounded = await startMockServer({ host: "127.0.0.1", port: 0, secret: SECRET, registry: registryOn("bounded.db"), maxConnections: 2, onDropped: (bound) => dropped.push(bound) });
    const { port } = new URL(bounded.url);
    const open = (): Promise<Socket> =>
      new Promise((resolve, reject) => {
        const socket = connect(Number(port), "127.0.0.1", () => resolve(socket));
        socket.once("error", reject);
      });
    const closed = (socket: Socket) => new Promise<string>((resolve) => {
      let answer = "";
      socket.on("data", (chunk: Buffer) => (answer += chunk.toString("latin1")));
      socket.once("close", () => resolve(answer));
    });
    try {
      const held = [await open(), await open()];
      // Connected before the server counts it: wait until both are its own.
      await expect.poll(() => new Promise<number>((resolve) => bounded.server.getConnections((_e, count) => resolve(count)))).toBe(2);
      const third = await open();
      const thirdClosed = closed(third);
      third.write(`GET /v1/webhooks HTTP/1.1\r\nHost: 127.0.0.1\r\nx-api-secret: ${SECRET}\r\n\r\n`);
      expect(await thirdClosed).toBe("");
      expect(dropped).toEqual([2]);
      held[0]!.destroy();
      await expect.poll(() => new Promise<number>((resolve) => bounded.server.getConnections((_e, count) => resolve(count)))).toBe(1);
      const fourth = await open();
      const fourthClosed = closed(fourth);
      fourth.end(`GET /v1/webhooks HTTP/1.1\r\nHost: 127.0.0.1\r\nx-api-secret: ${SECRET}\r\nConnection: close\r\n\r\n`);
      expect(await fourthClosed).toMatch(/^HTTP\/1\.1 200 /);
      for (const socket of held) socket.destroy();
    } finally {
      await bounded.close();
    }
  });
});

describe("Pinwheel's checks", () => {
  it("requires x-api-secret and refuses a wrong one with 401", async () => {
    expect(await raw("GET", "/v1/webhooks", {})).toEqual({
      status: 401,
      json: { error: { type: "UNAUTHORIZED_REQUEST", code: "missing_api_secret", message: expect.any(String), status_code: 401 } },
    });
    const wrong = await raw("GET", "/v1/webhooks", { "x-api-secret": "nope" });
    expect(wrong.status).toBe(401);
    expect(wrong.json.error?.code).toBe("invalid_api_secret");
  });

  it("refuses an unknown Pinwheel-Version, a body that is not JSON, and a wrong content-type", async () => {
    expect((await raw("GET", "/v1/webhooks", { ...AUTH, "pinwheel-version": "2024-01-01" })).json.error?.code).toBe("invalid_version");
    const notJson = await raw("POST", "/v1/webhooks", { ...AUTH, "content-type": "application/json" }, "{url:");
    expect(notJson).toMatchObject({ status: 400, json: { error: { code: "invalid_json", type: "INVALID_REQUEST_PARAMETERS" } } });
    const form = await raw("POST", "/v1/webhooks", { ...AUTH, "content-type": "application/x-www-form-urlencoded" }, "url=x");
    expect(form.json.error?.code).toBe("unsupported_content_type");
  });

  it("answers unknown routes and methods in the error shape", async () => {
    expect(await raw("GET", "/v1/accounts", AUTH)).toMatchObject({ status: 404, json: { error: { type: "RECORD_NOT_FOUND", code: "route_not_found" } } });
    expect(await raw("PATCH", "/v1/webhooks", AUTH)).toMatchObject({ status: 405, json: { error: { code: "method_not_allowed" } } });
    expect(await raw("GET", "/v1/webhooks/%E0%A4%A", AUTH)).toMatchObject({ status: 404, json: { error: { code: "route_not_found" } } });
    expect(await raw("GET", "/v1/webhooks?limit=500", AUTH)).toMatchObject({ status: 400, json: { error: { fields: [{ name: "limit" }] } } });
  });

  it("reads the request target as a path: //v1/webhooks is no route, and the error names it as sent", async () => {
    // new URL("//v1/webhooks", base) is protocol-relative: host "v1", path "/webhooks".
    const doubled = await raw("GET", "//v1/webhooks", AUTH);
    expect(doubled).toMatchObject({ status: 404, json: { error: { code: "route_not_found" } } });
    expect(doubled.json.error?.message).toMatch(/^No route GET \/\/v1\/webhooks;/);
    expect((await raw("GET", "//v1/webhooks?limit=1", AUTH)).json.error?.message).toMatch(/^No route GET \/\/v1\/webhooks;/);
  });

  it("serves create/list/get/update/delete with {data, meta} and {} for delete", async () => {
    const created = await client.create({ url: "https://example.com/a", status: "active", enabled_events: ["income.added"], version: "2023-04-18" });
    expect(await client.get(created.id)).toEqual(created);
    expect(await client.list()).toEqual({ data: [created], meta: { count: 1, next_cursor: null } });
    const deleted = await raw("DELETE", `/v1/webhooks/${created.id}`, AUTH);
    expect(deleted).toEqual({ status: 200, json: {} });
  });
});

/** Replaces ids, cursors and timestamps by stable placeholders so two runs can be compared. */
function normalise(value: unknown, ids: Map<string, string>): unknown {
  return JSON.parse(JSON.stringify(value), (key, item: unknown) => {
    if (typeof item !== "string") return item;
    if (key === "created_at" || key === "last_updated") return "<time>";
    if (key === "next_cursor") return "<cursor>";
    return item.replace(/[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/g, (id) => {
      if (!ids.has(id)) ids.set(id, `<id ${ids.size + 1}>`);
      return ids.get(id)!;
    });
  });
}

async function script(api: WebhooksApi): Promise<unknown[]> {
  const results: unknown[] = [];
  const attempt = async (call: () => Promise<unknown>) => {
    try {
      results.push({ ok: await call() });
    } catch (error) {
      if (!(error instanceof PinwheelApiError)) throw error;
      results.push({ error: error.body });
    }
  };
  const ids: string[] = [];
  for (let i = 0; i < 4; i++) {
    const created = await api.create({ url: `http://127.0.0.1:3000/hook-${i}`, status: "active", enabled_events: ["income.added"], version: "2025-07-08" });
    ids.push(created.id);
    results.push({ ok: created });
  }
  await attempt(() => api.create({ url: "ftp://example.com", status: "on", enabled_events: [], version: "2020-01-01" } as never));
  await attempt(() => api.create({ url: "https://example.com", status: "active", enabled_events: ["paystub.added"], version: "2025-07-08" }));
  const first = await api.list({ limit: 3 });
  results.push({ ok: first });
  await attempt(() => api.list({ limit: 3, cursor: first.meta.next_cursor! }));
  await attempt(() => api.get(ids[1]!));
  await attempt(() => api.get("61788409-8314-4e89-9300-ae7b9d3ccff5"));
  await attempt(() => api.update(ids[1]!, { status: "paused", enabled_events: ["paystubs.added", "bill.added"] }));
  await attempt(() => api.update(ids[1]!, { version: "2023-04-18" } as never));
  await attempt(() => api.update(ids[2]!, {}));
  await attempt(() => api.delete(ids[0]!));
  await attempt(() => api.delete(ids[0]!));
  for (let i = 0; i < 8; i++) await attempt(() => api.create({ url: "https://example.com/more", status: "paused", enabled_events: ["bill.added"], version: "2022-09-09" }));
  await attempt(() => api.list({ limit: 100 }));
  return results;
}

describe("parity: --env local and a running mock give the same answers", () => {
  it("the same sequence of calls gives the same results, ids and timestamps aside", async () => {
    const embedded = registryOn("embedded.db");
    const overHttp = await script(client);
    const direct = await script(embedded);
    expect(normalise(overHttp, new Map())).toEqual(normalise(direct, new Map()));
    // The sequence really exercised both outcomes, quota included.
    const errors = direct.filter((entry) => (entry as { error?: unknown }).error).map((entry) => (entry as { error: { code: string } }).error.code);
    expect(errors).toEqual(expect.arrayContaining(["invalid_parameters", "webhook_not_found", "webhook_limit_reached"]));
  });
});

describe("DNS rebinding", () => {
  it("bound to loopback, refuses a Host that is not a loopback name with 421 and registers nothing", async () => {
    const create = JSON.stringify({ url: "https://attacker.example/hook", enabled_events: ["paystubs.added"], status: "active" });
    const rebound = await raw("POST", "/v1/webhooks", { ...AUTH, host: "attacker.example:4010", "content-type": "application/json" }, create);
    expect(rebound.status).toBe(421);
    expect(rebound.json.error?.code).toBe("wrong_host");
    const listed = await request(`${mock.url}/v1/webhooks`, { headers: AUTH });
    const { data } = (await listed.body.json()) as { data: unknown[] };
    expect(data).toEqual([]);
    expect((await raw("GET", "/v1/webhooks", { ...AUTH, host: `localhost:${mock.port}` })).status).toBe(200);
  });

  it("refuses it too when loopback is spelled otherwise (127.1 binds 127.0.0.1): the check follows the address, not the spelling", async () => {
    const spelled = await startMockServer({ host: "127.1", port: 0, secret: SECRET, registry: registryOn("spelled.db") });
    try {
      const answer = await request(`http://127.0.0.1:${spelled.port}/v1/webhooks`, { headers: { ...AUTH, host: `attacker.example:${spelled.port}` } });
      expect(answer.statusCode).toBe(421);
      await answer.body.dump();
    } finally {
      await spelled.close();
    }
  });
});
