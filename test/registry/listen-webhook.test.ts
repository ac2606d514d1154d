/**
 * listen's webhook claim over real HTTP: the HTTP client against the mock server (the local
 * registry on a SQLite file), listen's own records on another. Every request the mock answers is
 * logged, so "nothing else was touched" is checked on the wire.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { createHttpWebhooksApi, type HttpWebhooksApi } from "../../src/api/client.js";
import type { Webhook } from "../../src/api/types.js";
import { startMockServer, type MockServer } from "../../src/mock/server.js";
import { apiKeyFingerprint } from "../../src/registry/api-key.js";
import { claimWebhook, releaseWebhook, WebhookQuotaFullError, type ListenWebhookDeps } from "../../src/registry/listen-webhook.js";
import { createLocalRegistry } from "../../src/registry/local.js";
import { ownedWebhooks } from "../../src/registry/owned.js";
import { openDatabase, type Db } from "../../src/store/database.js";

const SECRET = "listen-webhook-secret-0123456789";
const EVENTS = ["income.added", "paystubs.added"];
const VERSION = "2025-07-08" as const;
let dir: string;
let served: Db;
let listenDb: Db;
let mock: MockServer;
let api: HttpWebhooksApi;
let wire: string[];
let deps: ListenWebhookDeps;

beforeEach(async () => {
  dir = mkdtempSync(join(tmpdir(), "pinwheel-listen-webhook-"));
  served = openDatabase(join(dir, "served.db"));
  listenDb = openDatabase(join(dir, "listen.db"));
  wire = [];
  mock = await startMockServer({
    host: "127.0.0.1",
    port: 0,
    secret: SECRET,
    registry: createLocalRegistry({ db: served, apiKey: apiKeyFingerprint(SECRET) }),
    onAnswer: (entry) => wire.push(`${entry.method} ${entry.path.replace(/\?.*$/, "")} ${entry.status}`),
  });
  api = createHttpWebhooksApi({ baseUrl: mock.url, secret: SECRET, apiVersion: VERSION, timeoutMs: 5000 });
  deps = { api, owned: ownedWebhooks(listenDb, { api: mock.url, apiKey: apiKeyFingerprint(SECRET) }), clock: () => Date.UTC(2026, 10, 30) };
});

afterEach(async () => {
  await api.close();
  await mock.close();
  served.close();
  listenDb.close();
  rmSync(dir, { recursive: true, force: true });
});

/** A webhook someone made by hand (the dashboard, a script): listen has no record of it. */
function foreign(url: string, events = EVENTS): Promise<Webhook> {
  return api.create({ url, status: "active", enabled_events: events, version: VERSION });
}

async function recordedAsOwn(url: string, events: string[]): Promise<Webhook> {
  const webhook = await foreign(url, events);
  deps.owned.add(webhook.id, url, "2026-11-29T00:00:00.000Z");
  return webhook;
}

async function ids(): Promise<string[]> {
  return (await api.list({ limit: 100 })).data.map((webhook) => webhook.id);
}

describe("claimWebhook", () => {
  it("creates a webhook and records it; a second run with the same URL and events reuses it without creating", async () => {
    const first = await claimWebhook(deps, { url: "https://one.example/", events: EVENTS, version: VERSION });
    expect(first).toMatchObject({ action: "created", owned: true, deleted: [] });
    expect(first.webhook).toMatchObject({ url: "https://one.example/", enabled_events: EVENTS, status: "active", version: VERSION });
    expect(deps.owned.ids()).toEqual(new Set([first.webhook.id]));

    wire.length = 0;
    // Events in another order are the same subscription.
    const second = await claimWebhook(deps, { url: "https://one.example/", events: [...EVENTS].reverse(), version: VERSION });
    expect(second).toMatchObject({ action: "reused", owned: true, deleted: [] });
    expect(second.webhook.id).toBe(first.webhook.id);
    expect(wire).toEqual(["GET /v1/webhooks 200"]);
  });

  it("deletes its own webhooks for other URLs or other events, and never one it did not create", async () => {
    // Left by two earlier runs (each run would have removed the other's, so they are recorded directly).
    const mineOld = await recordedAsOwn("https://old-tunnel.example/", EVENTS);
    const mineOtherEvents = await recordedAsOwn("https://new-tunnel.example/", ["income.added"]);
    // Not listen's, though on the very URL it is about to use, with other events.
    const theirs = await foreign("https://new-tunnel.example/", ["account.added"]);
    const theirsOld = await foreign("https://old-tunnel.example/");

    wire.length = 0;
    const claim = await claimWebhook(deps, { url: "https://new-tunnel.example/", events: EVENTS, version: VERSION });
    expect(claim.action).toBe("created");
    expect(claim.deleted.map((webhook) => webhook.id).sort()).toEqual([mineOld.id, mineOtherEvents.id].sort());
    expect((await ids()).sort()).toEqual([theirs.id, theirsOld.id, claim.webhook.id].sort());
    expect(wire.filter((line) => line.startsWith("DELETE")).sort()).toEqual(
      [`DELETE /v1/webhooks/${mineOld.id} 200`, `DELETE /v1/webhooks/${mineOtherEvents.id} 200`].sort(),
    );
    expect(deps.owned.ids()).toEqual(new Set([claim.webhook.id]));
  });

  it("reuses someone else's webhook with the same URL and events but never deletes it", async () => {
    const theirs = await foreign("https://shared.example/");
    const claim = await claimWebhook(deps, { url: "https://shared.example/", events: EVENTS, version: VERSION });
    expect(claim).toMatchObject({ action: "reused", owned: false });
    expect(claim.webhook.id).toBe(theirs.id);
    expect(await releaseWebhook(deps, claim)).toBe("not_owned");
    expect(await ids()).toEqual([theirs.id]);
    expect(wire.some((line) => line.startsWith("DELETE"))).toBe(false);
  });

  it("sets its own paused webhook back to active when it reuses it", async () => {
    const first = await claimWebhook(deps, { url: "https://one.example/", events: EVENTS, version: VERSION });
    await api.update(first.webhook.id, { status: "paused" });
    const again = await claimWebhook(deps, { url: "https://one.example/", events: EVENTS, version: VERSION });
    expect(again).toMatchObject({ action: "reused", reactivated: true });
    expect((await api.get(first.webhook.id)).status).toBe("active");
  });

  it("forgets records of its webhooks deleted some other way", async () => {
    const first = await claimWebhook(deps, { url: "https://one.example/", events: EVENTS, version: VERSION });
    await api.delete(first.webhook.id);
    const again = await claimWebhook(deps, { url: "https://two.example/", events: EVENTS, version: VERSION });
    expect(again.deleted).toEqual([]);
    expect(deps.owned.ids()).toEqual(new Set([again.webhook.id]));
  });

  it("with ten webhooks none of which is its own, refuses before creating and names them", async () => {
    const theirs = [];
    for (let i = 0; i < 10; i++) theirs.push(await foreign(`https://taken-${i}.example/`));
    wire.length = 0;
    const error = await claimWebhook(deps, { url: "https://one.example/", events: EVENTS, version: VERSION }).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(WebhookQuotaFullError);
    expect((error as WebhookQuotaFullError).webhooks.map((webhook) => webhook.id)).toEqual(theirs.map((webhook) => webhook.id));
    expect(wire).toEqual(["GET /v1/webhooks 200"]);
  });

  it("with ten webhooks one of which is its own stale one, frees that slot and registers", async () => {
    const mine = await claimWebhook(deps, { url: "https://old.example/", events: EVENTS, version: VERSION });
    for (let i = 0; i < 9; i++) await foreign(`https://taken-${i}.example/`);
    const claim = await claimWebhook(deps, { url: "https://new.example/", events: EVENTS, version: VERSION });
    expect(claim.deleted.map((webhook) => webhook.id)).toEqual([mine.webhook.id]);
    expect(await ids()).toHaveLength(10);
  });
});

describe("releaseWebhook", () => {
  it("deletes its own webhook and its record; one already deleted elsewhere is not an error", async () => {
    const claim = await claimWebhook(deps, { url: "https://one.example/", events: EVENTS, version: VERSION });
    expect(await releaseWebhook(deps, claim)).toBe("deleted");
    expect(await ids()).toEqual([]);
    expect(deps.owned.ids().size).toBe(0);
    expect(await releaseWebhook(deps, claim)).toBe("deleted");
  });
});

describe("records are per API and per key", () => {
  it("a webhook recorded for another API key is not this key's to delete", async () => {
    const mine = await claimWebhook(deps, { url: "https://one.example/", events: EVENTS, version: VERSION });
    const otherKey = { ...deps, owned: ownedWebhooks(listenDb, { api: mock.url, apiKey: apiKeyFingerprint("another-secret") }) };
    const claim = await claimWebhook(otherKey, { url: "https://two.example/", events: EVENTS, version: VERSION });
    expect(claim.deleted).toEqual([]);
    expect(await ids()).toContain(mine.webhook.id);
  });
});
