/**
 * `webhooks` through the BUILT binary (npm run build first): against the strict fake (every
 * request checked against FACTS.md), against a running `mock`, and embedded (--env local).
 */
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from "vitest";
import { runCli, tempHome, type CliResult, type TempHome } from "../../helpers/cli.js";
import { startCliServer, type CliServer } from "../../helpers/cli-server.js";
import { expectExit, expectOneLineError } from "../../helpers/delivery-cli.js";
import { seedWebhook, startStrictFake, type StrictFake } from "../../api/strict-fake.js";

// Each test spawns the CLI several times; on two busy cores that takes seconds.
vi.setConfig({ testTimeout: 60_000 });

const SECRET = "webhooks-e2e-secret-0123456789";
let home: TempHome;

beforeAll(() => {
  home = tempHome();
});
afterAll(() => home.cleanup());

function cli(args: string[], env: NodeJS.ProcessEnv = home.env): Promise<CliResult> {
  return runCli(args, { env });
}

function json<T>(result: CliResult): T {
  expectExit(result, 0);
  return JSON.parse(result.stdout) as T;
}

interface WebhookJson {
  id: string;
  url: string;
  status: string;
  enabled_events: string[];
  version: string;
}

describe("against the strict fake (--base-url)", () => {
  let fake: StrictFake;
  const on = () => ["--base-url", fake.url, "--secret", SECRET];

  beforeEach(async () => {
    fake = await startStrictFake(SECRET);
  });
  afterEach(async () => {
    await fake.close();
    expect(fake.violations).toEqual([]);
  });

  it("create, get, update, delete send exactly the documented requests", async () => {
    const created = json<WebhookJson>(
      await cli(["webhooks", "create", ...on(), "--url", "https://example.com/hook", "--events", "income.added, paystubs.added", "--version", "2023-07-18", "--json"]),
    );
    expect(created).toMatchObject({ url: "https://example.com/hook", status: "active", enabled_events: ["income.added", "paystubs.added"], version: "2023-07-18" });
    expect(JSON.parse(fake.requests[0]!.body)).toEqual({
      url: "https://example.com/hook",
      status: "active",
      enabled_events: ["income.added", "paystubs.added"],
      version: "2023-07-18",
    });

    expect(json<WebhookJson>(await cli(["webhooks", "get", created.id, ...on(), "--json"]))).toEqual(created);
    const updated = json<WebhookJson>(await cli(["webhooks", "update", created.id, ...on(), "--status", "paused", "--events", "bill.added", "--api-version", "2022-09-09", "--json"]));
    expect(updated).toMatchObject({ id: created.id, status: "paused", enabled_events: ["bill.added"] });
    expect(JSON.parse(fake.requests[2]!.body)).toEqual({ status: "paused", enabled_events: ["bill.added"] });
    expect(fake.requests[2]!.headers["pinwheel-version"]).toBe("2022-09-09");
    expect(fake.requests[0]!.headers["pinwheel-version"]).toBe("2025-07-08");

    const deleted = await cli(["webhooks", "delete", created.id, ...on()]);
    expectExit(deleted, 0);
    expect(deleted.stdout).toContain(`Deleted webhook ${created.id}`);
    expect(fake.webhooks).toEqual([]);
    expect(fake.requests.map((r) => r.method)).toEqual(["POST", "GET", "PUT", "DELETE"]);
  });

  it("list follows next_cursor through several pages, or stops at --limit", async () => {
    const seeded = Array.from({ length: 5 }, (_, i) => seedWebhook(fake, i));
    const all = json<WebhookJson[]>(await cli(["webhooks", "list", ...on(), "--page-size", "2", "--json"]));
    expect(all.map((w) => w.id)).toEqual(seeded.map((w) => w.id));
    expect(fake.requests).toHaveLength(3);

    const table = await cli(["webhooks", "list", ...on(), "--page-size", "2"]);
    expectExit(table, 0);
    for (const webhook of seeded) expect(table.stdout).toContain(webhook.id);

    const limited = json<WebhookJson[]>(await cli(["webhooks", "list", ...on(), "--page-size", "2", "--limit", "3", "--json"]));
    expect(limited.map((w) => w.id)).toEqual(seeded.slice(0, 3).map((w) => w.id));
  });

  const invalid: [string, string[], RegExp][] = [
    ["a URL that is not one", ["create", "--url", "not a url", "--events", "income.added"], /--url: "not a url" is not a valid URL/],
    ["an http:// URL off this machine", ["create", "--url", "http://example.com/hook", "--events", "income.added"], /--url: must start with https:\/\//],
    ["an unknown event, with a suggestion", ["create", "--url", "https://example.com/h", "--events", "income.added,paystub.added"], /--events: "paystub.added" is not a Pinwheel event; did you mean "paystubs.added"\?/],
    ["a bad --status", ["create", "--url", "https://example.com/h", "--events", "income.added", "--status", "ACTIVE"], /--status.*Allowed choices are active, paused/],
    ["a bad --version", ["create", "--url", "https://example.com/h", "--events", "income.added", "--version", "2024-01-01"], /--version.*Allowed choices/],
    ["a bad --api-version", ["list", "--api-version", "latest"], /--api-version.*Allowed choices/],
    ["a webhook id that is not a UUID", ["get", "42"], /"42" is not a webhook id/],
    ["an update that changes nothing", ["update", "61788409-8314-4e89-9300-ae7b9d3ccff5"], /nothing to change/],
    ["the Stripe CLI's --events '*' (Pinwheel has no wildcard)", ["create", "--url", "https://example.com/h", "--events", "*"], /^error: --events: Pinwheel's API has no wildcard \("\*"\); list the events, .*"pinwheel-cli fixtures list".*leave --events out on a terminal/],
    ["an update to --events '*'", ["update", "61788409-8314-4e89-9300-ae7b9d3ccff5", "--events", "*"], /^error: --events: Pinwheel's API has no wildcard \("\*"\); list the events, e\.g\. --events income\.added,paystubs\.added \("pinwheel-cli fixtures list" shows them all\)$/],
    ["an update to an unknown event", ["update", "61788409-8314-4e89-9300-ae7b9d3ccff5", "--events", "incom.added"], /did you mean "income.added"/],
    ["create without --url and no terminal", ["create", "--events", "income.added"], /missing --url; not asking without a terminal/],
    ["create without --events and no terminal", ["create", "--url", "https://example.com/h"], /missing --events; not asking without a terminal/],
  ];
  for (const [what, args, message] of invalid) {
    it(`refuses ${what} with exit 2 and sends nothing`, async () => {
      const result = await cli(["webhooks", args[0]!, ...on(), ...args.slice(1)]);
      expectExit(result, 2);
      expect(expectOneLineError(result.stderr)).toMatch(message);
      expect(result.timedOut).toBe(false);
      expect(fake.requests).toEqual([]);
    });
  }

  it("refuses a bad PINWHEEL_ENV and --env with --base-url, before any request", async () => {
    const badEnv = await cli(["webhooks", "list", "--secret", SECRET], { ...home.env, PINWHEEL_ENV: "staging" });
    expectExit(badEnv, 2);
    expect(expectOneLineError(badEnv.stderr)).toBe('error: PINWHEEL_ENV: "staging" is not an environment; use sandbox, development, production, local');
    const both = await cli(["webhooks", "list", ...on(), "--env", "sandbox"]);
    expectExit(both, 2);
    const noSecret = await cli(["webhooks", "list", "--env", "production"]);
    expectExit(noSecret, 2);
    expect(noSecret.stderr).toMatch(/no API secret for Pinwheel production/);
    expect(fake.requests).toEqual([]);
  });

  it("an API error exits 1 with the API's message, code and field messages", async () => {
    fake.script.push({
      status: 400,
      body: { error: { type: "INVALID_REQUEST_PARAMETERS", code: "bad_url", message: "Webhook URL rejected.", status_code: 400, fields: [{ name: "url", message: "must resolve publicly" }] } },
    });
    const result = await cli(["webhooks", "create", ...on(), "--url", "https://example.com/h", "--events", "income.added"]);
    expectExit(result, 1);
    expect(expectOneLineError(result.stderr)).toBe(
      `error: ${fake.url} answered 400 INVALID_REQUEST_PARAMETERS (bad_url): Webhook URL rejected.; url: must resolve publicly`,
    );
  });

  it("a 401 says the secret was refused and where it came from, never the secret", async () => {
    fake.script.push({ status: 401, body: { error: { type: "UNAUTHORIZED_REQUEST", code: "unauthorized", message: "Invalid API secret.", status_code: 401 } } });
    const result = await cli(["webhooks", "list", "--base-url", fake.url], { ...home.env, PINWHEEL_API_SECRET: SECRET });
    expectExit(result, 1);
    const line = expectOneLineError(result.stderr);
    expect(line).toMatch(/refused the API secret \(401 UNAUTHORIZED_REQUEST, unauthorized: Invalid API secret\.\); the secret was read from PINWHEEL_API_SECRET/);
    expect(result.stderr + result.stdout).not.toContain(SECRET);
  });

  it("names a timeout and a refused connection as such", async () => {
    fake.script.push({ status: 200, body: { data: [], meta: { count: 0, next_cursor: null } }, delayMs: 3000 });
    const slow = await cli(["webhooks", "list", ...on(), "--timeout", "200"]);
    expectExit(slow, 1);
    expect(expectOneLineError(slow.stderr)).toMatch(/^error: timeout: no answer from .* within 200 ms/);

    const closed = await startStrictFake(SECRET);
    await closed.close();
    const refused = await cli(["webhooks", "list", "--base-url", closed.url, "--secret", SECRET]);
    expectExit(refused, 1);
    expect(expectOneLineError(refused.stderr)).toMatch(/^error: connection error: cannot reach .*ECONNREFUSED.*pinwheel-cli mock/);
  });
});

describe("--url typed without its scheme", () => {
  it("is http:// on this machine, as simulate --to takes it, and refused with a hint elsewhere", async () => {
    const local = tempHome();
    try {
      const created = await cli(["webhooks", "create", "--env", "local", "--url", "localhost:47073/wh", "--events", "income.added", "--secret", SECRET, "--json"], local.env);
      expectExit(created, 0);
      expect(JSON.parse(created.stdout)).toMatchObject({ url: "http://localhost:47073/wh" });
      const remote = await cli(["webhooks", "create", "--env", "local", "--url", "example.com/wh", "--events", "income.added", "--secret", SECRET], local.env);
      expectExit(remote, 2);
      expect(expectOneLineError(remote.stderr)).toMatch(/^error: --url: /);
    } finally {
      local.cleanup();
    }
  });
});

describe("--env local and a running mock give identical results", () => {
  let mockHome: TempHome;
  let mock: CliServer;

  beforeAll(async () => {
    mockHome = tempHome();
    mock = await startCliServer(["mock", "--port", "0", "--json", "--secret", SECRET], mockHome.env);
  });
  afterAll(async () => {
    await mock.stop();
    mockHome.cleanup();
  });

  function normalise(text: string, ids: Map<string, string>): unknown {
    return JSON.parse(text, (key, value: unknown) => {
      if (key === "health") return undefined; // the embedded registry's own addition
      if (key === "created_at" || key === "last_updated") return "<time>";
      if (typeof value === "string" && /^[0-9a-f-]{36}$/.test(value)) {
        if (!ids.has(value)) ids.set(value, `<id ${ids.size + 1}>`);
        return ids.get(value);
      }
      return value;
    });
  }

  async function session(target: string[], env: NodeJS.ProcessEnv): Promise<{ code: number | null; out: unknown; err: string }[]> {
    const ids = new Map<string, string>();
    const results: { code: number | null; out: unknown; err: string }[] = [];
    const run = async (args: string[]) => {
      const result = await cli([...args, ...target, "--secret", SECRET, "--json"], env);
      results.push({ code: result.code, out: result.stdout ? normalise(result.stdout, ids) : null, err: result.stderr.replace(/^error: .*? answered/, "error: <target> answered").replace(/"pinwheel-cli webhooks list[^"]*"/, '"pinwheel-cli webhooks list <target>"').replace(/[0-9a-f]{8}-[0-9a-f-]{27}/g, "<id>") });
      return result;
    };
    const first = JSON.parse((await run(["webhooks", "create", "--url", "http://127.0.0.1:3000/a", "--events", "income.added"])).stdout) as WebhookJson;
    await run(["webhooks", "create", "--url", "https://example.com/b", "--events", "paystubs.added,bill.added", "--status", "paused"]);
    await run(["webhooks", "list", "--page-size", "1"]);
    await run(["webhooks", "update", first.id, "--events", "employment.added"]);
    await run(["webhooks", "get", first.id]);
    await run(["webhooks", "delete", first.id]);
    await run(["webhooks", "get", first.id]);
    await run(["webhooks", "list"]);
    return results;
  }

  it("the same commands print the same JSON and exit codes", async () => {
    const local = await session(["--env", "local"], home.env);
    const remote = await session(["--base-url", mock.ready.url], home.env);
    expect(remote, JSON.stringify(remote)).toEqual(local);
    expect(local.map((r) => r.code)).toEqual([0, 0, 0, 0, 0, 0, 1, 0]);
    // The mock saw (and logged) the paginated list.
    expect(mock.lines()).toContainEqual(expect.objectContaining({ type: "request", method: "GET", path: "/v1/webhooks?limit=1" }));
  });
});
