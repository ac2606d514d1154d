/** The local registry core on a real SQLite file: validation, quota, pages, scoping, health. */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { PinwheelApiError } from "../../src/api/errors.js";
import { listAll } from "../../src/api/list-all.js";
import type { CreateWebhookBody } from "../../src/api/types.js";
import { apiKeyFingerprint } from "../../src/registry/api-key.js";
import { createLocalRegistry, type LocalRegistry } from "../../src/registry/local.js";
import { openDatabase, type Db } from "../../src/store/database.js";

const DAY = 86_400_000;
let dir: string;
let db: Db;
let now: number;
let registry: LocalRegistry;

function body(overrides: Partial<CreateWebhookBody> = {}): CreateWebhookBody {
  return { url: "https://example.com/hook", status: "active", enabled_events: ["income.added"], version: "2025-07-08", ...overrides };
}

async function apiError(promise: Promise<unknown>): Promise<PinwheelApiError> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof PinwheelApiError) return error;
    throw error;
  }
  throw new Error("expected a PinwheelApiError");
}

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), "pinwheel-registry-"));
  db = openDatabase(join(dir, "events.db"));
  now = Date.UTC(2026, 0, 1);
  registry = createLocalRegistry({ db, apiKey: apiKeyFingerprint("secret-a"), clock: () => now });
});

afterEach(() => {
  db.close();
  rmSync(dir, { recursive: true, force: true });
});

describe("create and validation", () => {
  it("stores a webhook in Pinwheel's shape", async () => {
    const created = await registry.create(body({ enabled_events: ["income.added", "bill.added", "income.added"] }));
    expect(created).toEqual({
      id: expect.stringMatching(/^[0-9a-f-]{36}$/),
      url: "https://example.com/hook",
      status: "active",
      enabled_events: ["income.added", "bill.added"],
      version: "2025-07-08",
      created_at: "2026-01-01T00:00:00.000Z",
      last_updated: "2026-01-01T00:00:00.000Z",
    });
    expect(await registry.get(created.id)).toEqual(created);
  });

  it("refuses bad bodies with INVALID_REQUEST_PARAMETERS and one field per problem", async () => {
    const error = await apiError(registry.create({ url: "http://example.com", status: "ACTIVE", enabled_events: ["paystub.added"] } as never));
    expect(error.body).toMatchObject({ type: "INVALID_REQUEST_PARAMETERS", status_code: 400 });
    expect(error.body.fields).toEqual([
      { name: "version", message: "is required" },
      { name: "url", message: expect.stringContaining("must start with https://") },
      { name: "status", message: expect.stringContaining('(lowercase: "active")') },
      { name: "enabled_events[0]", message: '"paystub.added" is not a Pinwheel event; did you mean "paystubs.added"?' },
    ]);
  });

  it("accepts http:// only on loopback, where listen runs", async () => {
    await registry.create(body({ url: "http://127.0.0.1:3000/hook" }));
    await registry.create(body({ url: "http://localhost:3000/hook" }));
    const error = await apiError(registry.create(body({ url: "http://192.0.2.1/hook" })));
    expect(error.body.fields?.[0]?.name).toBe("url");
  });

  it("refuses an eleventh webhook per API key, but not for another key", async () => {
    for (let i = 0; i < 10; i++) await registry.create(body());
    const error = await apiError(registry.create(body()));
    expect(error.body).toMatchObject({ code: "webhook_limit_reached", status_code: 400 });
    const other = createLocalRegistry({ db, apiKey: apiKeyFingerprint("secret-b") });
    await other.create(body());
    expect((await other.list()).data).toHaveLength(1);
  });
});

describe("list, update, delete", () => {
  it("pages with an opaque cursor in creation order", async () => {
    const ids = [];
    for (let i = 0; i < 7; i++) ids.push((await registry.create(body({ url: `https://example.com/${i}` }))).id);
    const first = await registry.list({ limit: 3 });
    expect(first.meta).toEqual({ count: 3, next_cursor: expect.any(String) });
    expect((await listAll(registry, { pageSize: 3 })).map((w) => w.id)).toEqual(ids);
    const last = await registry.list({ limit: 3, cursor: (await registry.list({ limit: 6 })).meta.next_cursor! });
    expect(last.meta).toEqual({ count: 1, next_cursor: null });
    expect((await apiError(registry.list({ cursor: "garbage" }))).body.code).toBe("invalid_cursor");
    expect((await apiError(registry.list({ limit: 0 }))).body.fields?.[0]?.name).toBe("limit");
  });

  it("updates only what is given, refuses version changes, and deletes", async () => {
    const created = await registry.create(body());
    now += 1000;
    const updated = await registry.update(created.id, { enabled_events: ["paystubs.added"] });
    expect(updated).toEqual({ ...created, enabled_events: ["paystubs.added"], last_updated: "2026-01-01T00:00:01.000Z" });
    expect((await apiError(registry.update(created.id, { version: "2023-04-18" } as never))).body.fields?.[0]?.name).toBe("version");
    expect((await apiError(registry.update(created.id, {}))).body.fields?.[0]?.name).toBe("body");
    await registry.delete(created.id);
    expect((await apiError(registry.get(created.id))).body.type).toBe("RECORD_NOT_FOUND");
    expect((await apiError(registry.delete(created.id))).body.status_code).toBe(404);
  });

  it("keeps each API key's webhooks to itself", async () => {
    const created = await registry.create(body());
    const other = createLocalRegistry({ db, apiKey: apiKeyFingerprint("secret-b") });
    expect((await apiError(other.get(created.id))).body.type).toBe("RECORD_NOT_FOUND");
  });
});

describe("fan-out recipients and the pause rule", () => {
  it("finds active and paused subscribers of an event", async () => {
    const a = await registry.create(body({ enabled_events: ["income.added", "paystubs.added"] }));
    const b = await registry.create(body({ enabled_events: ["income.added"], status: "paused" }));
    await registry.create(body({ enabled_events: ["paystubs.added"] }));
    const { active, paused } = registry.recipients("income.added");
    expect(active.map((r) => r.webhook.id)).toEqual([a.id]);
    expect(paused.map((r) => r.webhook.id)).toEqual([b.id]);
  });

  it("pauses after failing for the whole window, and a success ends the streak", async () => {
    const { id } = await registry.create(body());
    expect(registry.recordDelivery(id, false, 30 * DAY)?.state).toMatchObject({ status: "active", consecutive_failures: 1, first_failure_at: "2026-01-01T00:00:00.000Z" });
    now += 29 * DAY;
    expect(registry.recordDelivery(id, false, 30 * DAY)?.pausedNow).toBe(false);
    now += DAY - 1;
    expect(registry.recordDelivery(id, false, 30 * DAY)?.pausedNow).toBe(false);
    now += 1;
    const paused = registry.recordDelivery(id, false, 30 * DAY)!;
    expect(paused).toMatchObject({ pausedNow: true, state: { status: "paused", consecutive_failures: 4 } });
    expect((await registry.get(id)).status).toBe("paused");
    expect((await registry.get(id)).last_updated).toBe(new Date(now).toISOString());

    // Turned back on, it starts a new streak instead of pausing again at the next failure.
    await registry.update(id, { status: "active" });
    now += DAY;
    expect(registry.recordDelivery(id, false, 30 * DAY)).toMatchObject({ pausedNow: false, state: { consecutive_failures: 1 } });
    expect(registry.recordDelivery(id, true, 30 * DAY)?.state).toMatchObject({ consecutive_failures: 0, first_failure_at: null, last_success_at: new Date(now).toISOString() });
    now += 31 * DAY;
    expect(registry.recordDelivery(id, false, 30 * DAY)?.pausedNow).toBe(false);
  });
});
