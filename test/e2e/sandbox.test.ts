/**
 * The sandbox end to end with the BUILT CLI (npm run build first): a running `mock`, the callback
 * example as the handler, `webhooks create` and `sandbox connect` against the mock; the handler's
 * every fetch must succeed and every id must match. Then simulate --sandbox, a restart, and reset.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { request } from "undici";
import { runCli, tempHome, type TempHome } from "../helpers/cli.js";
import { startCliServer, type CliServer } from "../helpers/cli-server.js";
import { startExample, type RunningExample } from "../examples/start-example.js";
import { readUntil } from "../helpers/wait.js";
import { startWebhookSink } from "../helpers/webhook-sink.js";

const SECRET = "sk_sandbox_e2e_7f3c";
let home: TempHome;
let mock: CliServer;

beforeAll(async () => {
  home = tempHome();
  mock = await startCliServer(["mock", "--port", "0", "--json", "--secret", SECRET], home.env, 30_000);
}, 40_000);
afterAll(async () => {
  await mock?.stop();
  home.cleanup();
});

async function api<T = unknown>(path: string): Promise<{ status: number; json: T }> {
  const response = await request(`${mock.ready.url}${path}`, { headers: { "x-api-secret": SECRET, "pinwheel-version": "2023-11-22" } });
  return { status: response.statusCode, json: (await response.body.json()) as T };
}

interface PaystubPage {
  data: { id: string }[];
  meta: { next_cursor: string | null };
}

/** What the callback example records of each follow-up fetch it made (see examples/callback). */
interface ExampleFetch {
  ok: boolean;
  event: string;
  supported_jobs: string[];
  ids: string[];
  [field: string]: unknown;
}

const cli = (args: string[]) => runCli([...args, "--secret", SECRET], { env: home.env, timeoutMs: 60_000 });

describe("sandbox connect against a running mock", { timeout: 60_000 }, () => {
  let example: RunningExample;
  afterAll(async () => {
    await example?.stop();
  });

  it("feeds the callback example events whose every follow-up fetch succeeds with matching ids", async () => {
    example = await startExample("callback", SECRET, { ...home.env, PINWHEEL_API_BASE_URL: mock.ready.url });
    const created = await cli(["webhooks", "create", "--base-url", mock.ready.url, "--url", example.url, "--events", "account.added,paystubs.added,paystubs.fully_synced", "--json"]);
    expect(created.code, created.stderr).toBe(0);
    const webhookId = JSON.parse(created.stdout).id as string;

    const connected = await cli(["sandbox", "connect", "--base-url", mock.ready.url, "--platform", "Gusto", "--end-user-id", "e2e-user", "--seed", "99", "--json"]);
    expect(connected.code, connected.stderr).toBe(0);
    const result = JSON.parse(connected.stdout);
    expect(result).toMatchObject({ end_user_id: "e2e-user", platform_name: "Gusto", seed: 99 });
    expect(result.deliveries.length).toBeGreaterThanOrEqual(3);
    for (const delivery of result.deliveries) expect(delivery).toMatchObject({ status_code: 200, ok: true, url: example.url, webhook_id: webhookId });
    expect(result.deliveries[0].event).toBe("account.added");
    expect(result.deliveries.at(-1).event).toBe("paystubs.fully_synced");

    const fetches = await readUntil(
      async () => (await fetch(new URL("/fetches", example.url))).json() as Promise<ExampleFetch[]>,
      (list) => list.length >= 2,
      30_000,
    );
    expect(fetches, example.output()).toHaveLength(2);
    expect(fetches.every((entry) => entry.ok)).toBe(true);
    const [onAdded, onSynced] = [fetches.find((entry) => entry.event === "account.added"), fetches.find((entry) => entry.event === "paystubs.fully_synced")];
    expect(onAdded).toMatchObject({ account_id: result.account_id, platform_id: result.platform_id, platform_name: "Gusto", account_platform_id: result.platform_id });
    expect(onAdded!.supported_jobs).toContain("paystubs");
    expect(onSynced).toMatchObject({ account_id: result.account_id, paystubs: result.paystubs, own: result.paystubs });

    // The ids the handler fetched are exactly the ids the paystubs.added batches announced.
    const paystubIds: string[] = [];
    let cursor: string | null = null;
    do {
      const page: PaystubPage = (await api<PaystubPage>(`/v1/accounts/${result.account_id}/paystubs${cursor ? `?cursor=${cursor}` : ""}`)).json;
      paystubIds.push(...page.data.map((paystub) => paystub.id));
      cursor = page.meta.next_cursor;
    } while (cursor);
    expect(paystubIds.length).toBe(result.paystubs);
    expect([...onSynced!.ids].sort()).toEqual(paystubIds.sort());
  });

  it("simulate --sandbox sends ids that exist in the mock, for single events and scenarios", async () => {
    const sink = await startWebhookSink(SECRET);
    try {
      const single = await cli(["simulate", "account.added", "--sandbox", mock.ready.url, "--to", sink.url]);
      expect(single.code, single.stderr).toBe(0);
      const scenario = await cli(["simulate", "--scenario", "paystubs-sync", "--speed", "100", "--sandbox", mock.ready.url, "--to", sink.url]);
      expect(scenario.code, scenario.stderr).toBe(0);
      expect(sink.received.length).toBeGreaterThan(2);
      const added = sink.received[0]!.payload;
      expect((await api<{ data: { name: string } }>(`/v1/platforms/${added.platform_id}`)).json.data.name).toBe(added.platform_name);
      for (const event of sink.received) {
        const account = await api<{ data: { end_user_id: string; link_token_id?: string } }>(`/v1/accounts/${event.payload.account_id}`);
        expect(account.status, event.event).toBe(200);
        expect(account.json.data.end_user_id).toBe(event.payload.end_user_id);
        if ("link_token_id" in event.payload) expect(account.json.data.link_token_id).toBe(event.payload.link_token_id);
      }
      // The scenario's events share one account, a different one from the single event's.
      const scenarioAccounts = new Set(sink.received.slice(1).map((event) => event.payload.account_id));
      expect(scenarioAccounts.size).toBe(1);
      expect(scenarioAccounts.has(added.account_id)).toBe(false);
    } finally {
      await sink.close();
    }
  });

  it("keeps its accounts across a restart of the mock, lists them, and resets", async () => {
    // SIGTERM (a supervisor's stop) is a clean stop for a server, as the README's exit codes say.
    const stopped = await mock.stop();
    expect(stopped.code, stopped.stderr).toBe(0);
    mock = await startCliServer(["mock", "--port", "0", "--json", "--secret", SECRET], home.env, 30_000);
    const listed = await cli(["sandbox", "accounts", "--base-url", mock.ready.url, "--json"]);
    expect(listed.code, listed.stderr).toBe(0);
    const accounts = JSON.parse(listed.stdout) as { id: string; end_user_id: string }[];
    expect(accounts.map((account) => account.end_user_id)).toContain("e2e-user");
    expect((await api(`/v1/accounts/${accounts[0]!.id}/identity`)).status).toBe(200);

    const reset = await cli(["sandbox", "reset", "--base-url", mock.ready.url, "--yes", "--json"]);
    expect(JSON.parse(reset.stdout)).toEqual({ deleted_accounts: accounts.length, deleted_link_tokens: 0 });
    expect((await api(`/v1/accounts/${accounts[0]!.id}`)).status).toBe(404);
    const empty = await cli(["sandbox", "accounts", "--base-url", mock.ready.url]);
    expect(empty.stderr).toMatch(/No sandbox accounts/);
  });

  it("--env local connects through the database the mock serves, and records each delivery", async () => {
    const sink = await startWebhookSink(SECRET);
    try {
      const created = await cli(["webhooks", "create", "--env", "local", "--url", sink.url, "--events", "account.added,employment.added", "--json"]);
      expect(created.code, created.stderr).toBe(0);
      const connected = await cli(["sandbox", "connect", "--env", "local", "--platform", "Deputy", "--json"]);
      expect(connected.code, connected.stderr).toBe(0);
      const result = JSON.parse(connected.stdout);
      expect(result.jobs).toEqual(["shifts", "employment", "identity"]);
      expect(sink.received.map((event) => event.event)).toEqual(["account.added", "employment.added"]);
      expect(sink.received.every((event) => event.verified && event.payload.account_id === result.account_id)).toBe(true);
      // The running mock serves what the CLI wrote to the same file.
      expect((await api<{ data: { account_id: string } }>(`/v1/accounts/${result.account_id}/employment`)).json.data.account_id).toBe(result.account_id);
      expect((await api<{ error: { code: string } }>(`/v1/accounts/${result.account_id}/paystubs`)).json.error.code).toBe("data_not_available");
      const deliveries = await runCli(["deliveries", "list", "--event-id", sink.received[0]!.event_id, "--json"], { env: home.env });
      // The callback example's webhook (first test) is still registered and got its own delivery.
      const attempts = JSON.parse(deliveries.stdout) as { url: string; source: string }[];
      expect(attempts.filter((attempt) => attempt.url === sink.url)).toMatchObject([{ event: "account.added", status_code: 200, source: "sandbox" }]);
    } finally {
      await sink.close();
    }
  });

  it("refuses what it cannot do with a usage error naming the flag", async () => {
    const platform = await cli(["sandbox", "connect", "--base-url", mock.ready.url, "--platform", "Deputy", "--jobs", "paystubs"]);
    expect(platform.code).toBe(2);
    expect(platform.stderr).toMatch(/--jobs: has "paystubs", which Deputy does not support/);
    const env = await cli(["sandbox", "connect", "--env", "production"]);
    expect(env.code).toBe(2);
    expect(env.stderr).toMatch(/not Pinwheel production/);
    const wrongSecret = await runCli(["sandbox", "connect", "--base-url", mock.ready.url, "--secret", "nope"], { env: home.env });
    expect(wrongSecret.code).toBe(1);
    expect(wrongSecret.stderr).toMatch(/refused the API secret/);
  });
});
