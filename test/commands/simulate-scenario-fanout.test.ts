/**
 * simulate --scenario without --to, in-process: each delivery reaches the active local webhooks
 * subscribed to its event, as a single event does (real HTTP on 127.0.0.1, a real SQLite registry
 * in a temp home); the pause rule applies; with none subscribed it plays to the default URL.
 */
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { verifyWebhook } from "../../src/signing.js";
import { tempHome, type TempHome } from "../helpers/cli.js";
import { runInProcess } from "../helpers/in-process.js";
import { useRecordingServers } from "../helpers/servers.js";

const SECRET = "scenario-fanout-secret-0123456789";
const receiver = useRecordingServers();
let home: TempHome;

beforeEach(() => {
  home = tempHome();
});
afterEach(() => home.cleanup());

async function cli(args: string[]) {
  return runInProcess([...args, "--secret", SECRET], { env: home.env });
}

async function register(url: string, events: string, status = "active"): Promise<string> {
  const result = await cli(["webhooks", "create", "--url", url, "--events", events, "--status", status, "--json"]);
  expect(result.stderr).toBe("");
  return (JSON.parse(result.stdout) as { id: string }).id;
}

function scenarioFile(steps: unknown[]): string {
  const path = join(home.home, "scenario.json");
  writeFileSync(path, JSON.stringify({ name: "fan-out-check", description: "a test scenario", steps }));
  return path;
}

function eventsOf(requests: readonly { body: Buffer }[]): string[] {
  return requests.map((request) => (JSON.parse(request.body.toString("utf8")) as { event: string }).event);
}

describe("simulate --scenario without --to fans out to local webhooks", () => {
  it("sends each delivery to the active webhooks subscribed to its event, each with its own id", async () => {
    const [incomeOnly, both, paused, unrelated] = await Promise.all([receiver(), receiver(), receiver(), receiver()]);
    const incomeOnlyId = await register(incomeOnly.url, "income.added");
    const bothId = await register(both.url, "income.added,paystubs.added");
    await register(paused.url, "income.added", "paused");
    await register(unrelated.url, "employment.added");
    const file = scenarioFile([{ label: "first", event: "income.added" }, { event: "paystubs.added", duplicate: 1 }, { event: "identity.added" }, { resend: "first" }]);

    const result = await cli(["simulate", "--scenario", file, "--json"]);

    expect(result.code, result.stderr).toBe(0);
    expect(result.stderr).toContain("Fan-out: scenario fan-out-check to 2 active local webhooks");
    expect(result.stderr).toContain("Skipping paused webhook");
    expect(eventsOf(incomeOnly.requests)).toEqual(["income.added", "income.added"]);
    expect(eventsOf(both.requests)).toEqual(["income.added", "paystubs.added", "paystubs.added", "income.added"]);
    expect(paused.requests).toHaveLength(0);
    expect(unrelated.requests).toHaveLength(0);
    for (const request of incomeOnly.requests) expect(request.headers["x-pinwheel-webhook-id"]).toBe(incomeOnlyId);
    for (const request of both.requests) expect(request.headers["x-pinwheel-webhook-id"]).toBe(bothId);
    for (const request of [...incomeOnly.requests, ...both.requests]) {
      expect(verifyWebhook({ secret: SECRET, headers: request.headers, rawBody: request.body }).ok).toBe(true);
    }
    // One event: the same event_id to both webhooks.
    expect(incomeOnly.requests[0]?.body.equals(both.requests[0]?.body ?? Buffer.alloc(0))).toBe(true);
    // The scenario report shows a delivery no webhook was subscribed to as not sent, and health is recorded.
    const report = result.stdout.split("\n").filter(Boolean).map((line) => JSON.parse(line) as { type?: string; deliveries?: { event: string; attempts: number; error: string | null }[] });
    const deliveries = report.find((line) => line.type === "scenario")?.deliveries ?? [];
    expect(deliveries.map((delivery) => delivery.event)).toEqual(["income.added", "paystubs.added", "paystubs.added", "identity.added", "income.added"]);
    expect(deliveries[3]).toMatchObject({ attempts: 0, error: "not sent: no active local webhook subscribed to identity.added" });
    const listed = JSON.parse((await cli(["webhooks", "list", "--json"])).stdout) as { id: string; health: { last_success_at: string | null } }[];
    expect(listed.find((webhook) => webhook.id === bothId)?.health.last_success_at).toEqual(expect.any(String));
  });

  it("applies the pause rule: a webhook that keeps failing is paused and receives nothing more", async () => {
    const failing = await receiver(() => ({ status: 500 }));
    const failingId = await register(failing.url, "income.added");
    const file = scenarioFile([{ event: "income.added" }, { event: "income.added", delay_ms: 20 }, { event: "income.added", delay_ms: 20 }]);

    const result = await cli(["simulate", "--scenario", file, "--pause-after", "1ms"]);

    expect(result.code).toBe(1);
    expect(result.stderr).toContain(`webhook ${failingId} (${failing.url}) is now paused`);
    expect(failing.requests).toHaveLength(2);
    const listed = JSON.parse((await cli(["webhooks", "list", "--json"])).stdout) as { id: string; status: string }[];
    expect(listed.find((webhook) => webhook.id === failingId)?.status).toBe("paused");
  });

  it("plays to the default URL when no active local webhook is subscribed to its events", async () => {
    const fallback = await receiver();
    await register((await receiver()).url, "employment.added");
    expect((await runInProcess(["config", "set", "default-url", fallback.url], { env: home.env })).code).toBe(0);
    const file = scenarioFile([{ event: "income.added" }, { event: "paystubs.added" }]);

    const result = await cli(["simulate", "--scenario", file]);

    expect(result.code, result.stderr).toBe(0);
    expect(result.stderr).toContain(`No active local webhook of this API secret subscribed to the events of scenario fan-out-check; playing to the default URL ${fallback.url}`);
    expect(eventsOf(fallback.requests)).toEqual(["income.added", "paystubs.added"]);
  });

  it("refuses --pause-after beside --to, as a single event does", async () => {
    const result = await cli(["simulate", "--scenario", scenarioFile([{ event: "income.added" }]), "--to", "http://127.0.0.1:9/", "--pause-after", "10s"]);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain("--pause-after applies to the fan-out to local webhooks");
  });
});
