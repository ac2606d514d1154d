/**
 * simulate without --to, through the BUILT binary: the event reaches exactly the active local
 * webhooks subscribed to it, each with its own id; health is recorded and the pause rule applies.
 */
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { verifyWebhook } from "../../src/signing.js";
import { runCli, tempHome, type CliResult, type TempHome } from "../helpers/cli.js";
import { expectExit } from "../helpers/delivery-cli.js";
import { startRecordingServer, type RecordingServer } from "../helpers/servers.js";

// Each test spawns the CLI several times; on two busy cores that takes seconds.
vi.setConfig({ testTimeout: 60_000 });

const SECRET = "fanout-e2e-secret-0123456789";
let home: TempHome;
const servers: RecordingServer[] = [];

beforeAll(() => {
  home = tempHome();
});
afterAll(async () => {
  await Promise.all(servers.map((server) => server.close()));
  home.cleanup();
});

async function receiver(status = 200): Promise<RecordingServer> {
  const server = await startRecordingServer(() => ({ status }));
  servers.push(server);
  return server;
}

function cli(args: string[]): Promise<CliResult> {
  return runCli([...args, "--secret", SECRET], { env: home.env });
}

interface ListedWebhook {
  id: string;
  status: string;
  health: { consecutive_failures: number; last_success_at: string | null; auto_paused_at: string | null };
}

async function register(url: string, events: string, status = "active"): Promise<string> {
  const result = await cli(["webhooks", "create", "--url", url, "--events", events, "--status", status, "--json"]);
  expectExit(result, 0);
  return (JSON.parse(result.stdout) as { id: string }).id;
}

async function listed(): Promise<Map<string, ListedWebhook>> {
  const result = await cli(["webhooks", "list", "--json"]);
  expectExit(result, 0);
  return new Map((JSON.parse(result.stdout) as ListedWebhook[]).map((webhook) => [webhook.id, webhook]));
}

describe("simulate fans out to the local registry", () => {
  it("reaches exactly the subscribed active webhooks, each with its own id, and skips paused ones", async () => {
    const [first, second, paused, other] = await Promise.all([receiver(), receiver(), receiver(), receiver()]);
    const firstId = await register(first!.url, "income.added");
    const secondId = await register(second!.url, "paystubs.added,income.added");
    const pausedId = await register(paused!.url, "income.added", "paused");
    await register(other!.url, "paystubs.added");

    const result = await cli(["simulate", "income.added", "--json"]);
    expectExit(result, 0);
    expect(result.stderr).toContain("Fan-out: income.added to 2 active local webhooks");
    expect(result.stderr).toContain(`Skipping paused webhook ${pausedId}`);

    expect(first!.requests).toHaveLength(1);
    expect(second!.requests).toHaveLength(1);
    expect(paused!.requests).toHaveLength(0);
    expect(other!.requests).toHaveLength(0);
    expect(first!.requests[0]!.headers["x-pinwheel-webhook-id"]).toBe(firstId);
    expect(second!.requests[0]!.headers["x-pinwheel-webhook-id"]).toBe(secondId);
    for (const request of [first!.requests[0]!, second!.requests[0]!]) {
      expect(verifyWebhook({ secret: SECRET, headers: request.headers, rawBody: request.body }).ok).toBe(true);
    }
    // One event: the same event_id to both webhooks.
    expect(first!.requests[0]!.body.equals(second!.requests[0]!.body)).toBe(true);
    // Each attempt line names the webhook it went to: two at one URL are told apart.
    const attempts = result.stdout.trim().split("\n").map((line) => JSON.parse(line) as Record<string, unknown>).filter((line) => line.type === "attempt");
    expect(attempts.map((line) => line.webhook_id).sort()).toEqual([firstId, secondId].sort());

    const health = await listed();
    expect(health.get(firstId)!.health).toMatchObject({ consecutive_failures: 0, last_success_at: expect.any(String) });
    expect(health.get(pausedId)!.health.last_success_at).toBeNull();
  });

  it("with another API secret, none of these webhooks is listed or sent to, and the notices say they belong to another secret", async () => {
    const fallback = await receiver();
    expectExit(await runCli(["config", "set", "default-url", fallback.url], { env: home.env }), 0);
    const otherSecret = ["--secret", "another-workspace-secret"];
    const owned = (JSON.parse((await cli(["webhooks", "list", "--json"])).stdout) as unknown[]).length;
    expect(owned).toBeGreaterThan(0);
    const others = `(${owned} webhook${owned === 1 ? "" : "s"} in the local registry belong${owned === 1 ? "s" : ""} to another API secret: each secret has its own`;
    const listed = await runCli(["webhooks", "list", ...otherSecret], { env: home.env });
    expectExit(listed, 0);
    expect(listed.stderr).toContain(`No webhooks for this API secret in the local registry (`);
    expect(listed.stderr).toContain(others);
    const sent = await runCli(["simulate", "income.added", ...otherSecret], { env: home.env });
    expectExit(sent, 0);
    expect(sent.stderr).toContain(`No active local webhook of this API secret subscribed to income.added ${others}`);
    expect(fallback.requests).toHaveLength(1);
  });

  it("with no subscriber it sends to the default URL and says so; --to still goes where it says", async () => {
    const fallback = await receiver();
    const explicit = await receiver();
    expectExit(await runCli(["config", "set", "default-url", fallback.url], { env: home.env }), 0);

    const none = await cli(["simulate", "employment.added"]);
    expectExit(none, 0);
    expect(none.stderr).toContain(`No active local webhook of this API secret subscribed to employment.added; sending to the default URL ${fallback.url}`);
    expect(fallback.requests).toHaveLength(1);

    const direct = await cli(["simulate", "income.added", "--to", explicit.url]);
    expectExit(direct, 0);
    expect(direct.stderr).not.toContain("Fan-out");
    expect(explicit.requests).toHaveLength(1);
    expect(fallback.requests).toHaveLength(1);
  });

  it("counts failures and pauses a webhook once it has failed for --pause-after", async () => {
    const failing = await receiver(500);
    const id = await register(failing.url, "identity.added");

    const firstRun = await cli(["simulate", "identity.added", "--pause-after", "1ms"]);
    expectExit(firstRun, 1);
    expect((await listed()).get(id)).toMatchObject({ status: "active", health: { consecutive_failures: 1, auto_paused_at: null } });

    const secondRun = await cli(["simulate", "identity.added", "--pause-after", "1ms"]);
    expectExit(secondRun, 1);
    expect(secondRun.stderr).toMatch(new RegExp(`webhook ${id} .* is now paused: no 2xx since .* \\(2 failures, pause after 1ms\\)`));
    expect((await listed()).get(id)).toMatchObject({ status: "paused", health: { consecutive_failures: 2, auto_paused_at: expect.any(String) } });

    const table = await cli(["webhooks", "list"]);
    expect(table.stdout).toMatch(new RegExp(`${id}\\s+paused .*2 failed in a row since`));

    const thirdRun = await cli(["simulate", "identity.added", "--to", failing.url]);
    expect(failing.requests).toHaveLength(3); // --to is not fan-out: it still sends
    // ...and so --pause-after, which only the fan-out applies, is refused beside it rather than ignored.
    expectExit(await cli(["simulate", "identity.added", "--pause-after", "1ms", "--to", failing.url]), 2);
    expect(failing.requests).toHaveLength(3);
    const skipped = await cli(["simulate", "identity.added"]);
    expect(skipped.stderr).toContain(`Skipping paused webhook ${id}`);
    expect(failing.requests).toHaveLength(3);
    expect(thirdRun.code).toBe(1);
  });
});

describe("a webhook's version decides the payload format it receives", () => {
  const payloadOf = (server: RecordingServer) => (JSON.parse(server.requests[0]!.body.toString("utf8")) as { payload: Record<string, unknown> }).payload;

  it("a 2022-09-09 webhook gets no end_user_id, a 2025-07-08 one today's form; --api-version chooses for all", async () => {
    const [old, current] = await Promise.all([receiver(), receiver()]);
    for (const [server, version] of [[old!, "2022-09-09"], [current!, "2025-07-08"]] as const) {
      const result = await cli(["webhooks", "create", "--url", server.url, "--events", "direct_deposit_switch.added", "--status", "active", "--version", version, "--json"]);
      expectExit(result, 0);
    }
    expectExit(await cli(["simulate", "direct_deposit_switch.added"]), 0);
    expect(payloadOf(old!)).not.toHaveProperty("end_user_id");
    expect(payloadOf(current!)).toMatchObject({ end_user_id: expect.any(String), params: { action: "partial_switch" } });
    for (const request of [old!.requests[0]!, current!.requests[0]!]) {
      expect(verifyWebhook({ secret: SECRET, headers: request.headers, rawBody: request.body }).ok).toBe(true);
    }

    expectExit(await cli(["simulate", "direct_deposit_switch.added", "--api-version", "2022-07-01"]), 0);
    for (const server of [old!, current!]) {
      const legacy = (JSON.parse(server.requests[1]!.body.toString("utf8")) as { payload: Record<string, unknown> }).payload;
      expect(legacy.params).toEqual({ amount: 5400 });
    }
  });
});

describe("simulate and fixtures show --api-version", () => {
  it("sends the legacy form to --to, and fixtures show lists what the version changes", async () => {
    const target = await receiver();
    expectExit(await cli(["simulate", "direct_deposit_switch.added", "--api-version", "2022-07-01", "--to", target.url]), 0);
    expect((JSON.parse(target.requests[0]!.body.toString("utf8")) as { payload: { params: unknown } }).payload.params).toEqual({ amount: 5400 });

    const shown = await runCli(["fixtures", "show", "direct_deposit_switch.added", "--api-version", "2022-07-01", "--json"], { env: home.env });
    expectExit(shown, 0);
    expect(JSON.parse(shown.stdout)).toMatchObject({ payload: { params: { amount: 5400 } } });
    expect(shown.stderr).toContain("API version 2022-07-01 changes direct_deposit_switch.added:");
    expect(shown.stderr).toMatch(/before 2022-08-01: params\.amount/);
    expect(shown.stderr).toMatch(/before 2023-07-18: no end_user_id/);

    const today = await runCli(["fixtures", "show", "income.added", "--api-version", "2025-07-08", "--json"], { env: home.env });
    expect(today.stderr).toContain("no documented difference");
    const bad = await cli(["simulate", "income.added", "--api-version", "2023-02-30"]);
    expectExit(bad, 2);
    expect(bad.stderr).toMatch(/--api-version.*YYYY-MM-DD/);
  });
});
