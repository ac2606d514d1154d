/**
 * sandbox_connect and sandbox_accounts in-process, against the sandbox in a real SQLite file
 * (mcp --env local) delivering over real HTTP on 127.0.0.1; and refusing Pinwheel's own
 * environments. The same tools over stdio against a running mock are in server.test.ts.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { resolveTarget } from "../../src/registry/target.js";
import type { McpContext } from "../../src/mcp/tool.js";
import { sandboxAccounts } from "../../src/mcp/tools/sandbox-accounts.js";
import { sandboxConnect } from "../../src/mcp/tools/sandbox-connect.js";
import { apiKeyFingerprint } from "../../src/registry/api-key.js";
import { createLocalRegistry } from "../../src/registry/local.js";
import { openDatabase, type Db } from "../../src/store/database.js";
import { deliveryStore } from "../../src/store/deliveries.js";
import { startWebhookSink, type WebhookSink } from "../helpers/webhook-sink.js";
import { startRecordingServer, type RecordingServer } from "../helpers/servers.js";
import { waitUntil } from "../helpers/wait.js";

const SECRET = "mcp-local-sandbox-secret-4a7e";
let dir: string;
let dbPath: string;
let db: Db;
let sink: WebhookSink;

function context(env: string, signal?: AbortSignal, baseUrl?: string): McpContext {
  const registry = resolveTarget({ env: baseUrl ? undefined : env, baseUrl, secret: SECRET, db: env === "local" ? dbPath : undefined, timeout: 5_000 });
  return { db: dbPath, secret: registry.secret, allowRemote: false, registry, log: () => {}, signal };
}

let slow: RecordingServer | undefined;
afterEach(async () => {
  await slow?.close();
  slow = undefined;
});

/** Cancels a call once `slow` has its first request: it must give up within seconds, saying it stopped. */
async function cancelOnceSent(start: (signal: AbortSignal) => Promise<unknown>): Promise<void> {
  const controller = new AbortController();
  const call = start(controller.signal);
  call.catch(() => {});
  await waitUntil(() => slow!.requests.length === 1, 10_000);
  const abortedAt = Date.now();
  controller.abort("the user gave up");
  await expect(call).rejects.toThrow(/^stopped: the client cancelled the call/);
  expect(Date.now() - abortedAt).toBeLessThan(3_000);
}

beforeEach(async () => {
  dir = mkdtempSync(join(tmpdir(), "pinwheel-mcp-sandbox-"));
  dbPath = join(dir, "events.db");
  db = openDatabase(dbPath);
  sink = await startWebhookSink(SECRET);
});

afterEach(async () => {
  await sink.close();
  db.close();
  rmSync(dir, { recursive: true, force: true });
});

describe("sandbox tools with mcp --env local", () => {
  it("sandbox_connect creates the account in the database, delivers to the registered webhook and records each attempt", async () => {
    const registry = createLocalRegistry({ db, apiKey: apiKeyFingerprint(SECRET) });
    const webhook = await registry.create({ url: sink.url, status: "active", enabled_events: ["account.added", "shifts.added"], version: "2023-11-22" });

    const { data, text } = await sandboxConnect.run({ platform: "Deputy", end_user_id: "local-user", seed: 3, jobs: ["shifts"] }, context("local"));
    expect(data).toMatchObject({ end_user_id: "local-user", platform_name: "Deputy", jobs: ["shifts"], failed_deliveries: 0 });
    const deliveries = data.deliveries as { event: string; event_id: string; ok: boolean; webhook_id: string }[];
    expect(deliveries.map((delivery) => delivery.event)).toEqual(sink.received.map((event) => event.event));
    expect(deliveries[0]).toMatchObject({ event: "account.added", status_code: 200, ok: true, url: sink.url, webhook_id: webhook.id });
    expect(sink.received.every((event) => event.verified && event.payload.account_id === data.account_id)).toBe(true);
    expect(text.split("\n")[0]).toContain(`account ${data.account_id as string}`);

    const recorded = deliveryStore(db).list({ limit: 100 });
    expect(recorded.map((attempt) => attempt.eventId).sort()).toEqual(deliveries.map((delivery) => delivery.event_id).sort());
    expect(recorded.every((attempt) => attempt.source === "sandbox")).toBe(true);

    const listed = await sandboxAccounts.run({}, context("local"));
    expect(listed.data.accounts).toEqual([expect.objectContaining({ id: data.account_id, end_user_id: "local-user", shifts: data.shifts })]);
    expect(listed.text).toContain("1 account in the local registry");
  });

  it("a cancelled sandbox_connect stops at the delivery in flight (abandoned, recorded) and sends nothing more", async () => {
    slow = await startRecordingServer(() => ({ status: 200, delayMs: 20_000 }));
    const registry = createLocalRegistry({ db, apiKey: apiKeyFingerprint(SECRET) });
    await registry.create({ url: slow.url, status: "active", enabled_events: ["account.added", "shifts.added"], version: "2023-11-22" });
    await cancelOnceSent((signal) => sandboxConnect.run({ seed: 3, jobs: ["shifts"], platform: "Deputy" }, context("local", signal)));
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(slow.requests).toHaveLength(1);
    expect(deliveryStore(db).list({ limit: 10 }).map((attempt) => attempt.error)).toEqual([expect.stringMatching(/^abandoned/)]);
  });

  it("a cancelled sandbox_connect against a running mock gives up its call at once", async () => {
    slow = await startRecordingServer(() => ({ status: 200, delayMs: 20_000 }));
    await cancelOnceSent((signal) => sandboxConnect.run({ seed: 3 }, context("http", signal, slow!.url)));
  });

  it("with no webhook registered the account is made and nothing is sent, which the text says", async () => {
    const { data, text } = await sandboxConnect.run({ seed: 1 }, context("local"));
    expect(data).toMatchObject({ deliveries: [], failed_deliveries: 0 });
    expect(data.events).toBeGreaterThan(1);
    expect(text).toMatch(/no active webhook .* is subscribed to these events/);
    expect(sink.received).toEqual([]);
  });

  it("refuses Pinwheel's own environments: the sandbox is pinwheel-cli's stand-in", async () => {
    for (const env of ["sandbox", "production"]) {
      await expect(sandboxConnect.run({}, context(env))).rejects.toThrow(`not Pinwheel ${env}; use --base-url`);
      await expect(sandboxAccounts.run({}, context(env))).rejects.toThrow(`not Pinwheel ${env}`);
    }
  });
});
