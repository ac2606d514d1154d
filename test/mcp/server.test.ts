/**
 * The MCP server end to end: a spawned, built `pinwheel-cli mcp` driven by the SDK's own client
 * over stdio, against a running `pinwheel-cli listen` and a local receiver (real HTTP on
 * 127.0.0.1, real SQLite in a temp dir). Slow tier: run `npm run build` first.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { fixturePath } from "../../src/events/fixtures.js";
import { EVENT_NAMES } from "../../src/events/catalog.js";
import { verifyWebhook } from "../../src/signing.js";
import { startListen, tempHome, type Listener, type TempHome } from "../helpers/cli.js";
import { startMcp, type McpSession } from "../helpers/mcp.js";
import { startRecordingServer, type RecordingServer } from "../helpers/servers.js";
import { startWebhookSink, type WebhookSink } from "../helpers/webhook-sink.js";
import { startHandler } from "../fixtures/handlers/base.js";
import { acceptsForged } from "../fixtures/handlers/accepts-forged.js";
import { CHECK_IDS } from "../../src/conformance/index.js";
import { startMockServer, type MockServer } from "../../src/mock/server.js";
import { apiKeyFingerprint } from "../../src/registry/api-key.js";
import { createLocalRegistry } from "../../src/registry/local.js";
import { createSandbox } from "../../src/sandbox/sandbox.js";
import { openDatabase, type Db } from "../../src/store/database.js";

const SECRET = "mcp-test-secret-5f1c0ab9d2";
const TOOLS = [
  "list_event_types",
  "simulate_event",
  "list_requests",
  "get_request",
  "verify_request",
  "replay_request",
  "run_smoke",
  "run_conformance",
  "sandbox_connect",
  "sandbox_accounts",
];

let home: TempHome;
let db: string;
let listen: Listener;
let receiver: RecordingServer;
let failingReceiver: RecordingServer;
let mcp: McpSession;

beforeAll(async () => {
  home = tempHome();
  db = join(home.home, "events.db");
  listen = await startListen(["--secret", SECRET, "--db", db], home.env);
  receiver = await startRecordingServer();
  failingReceiver = await startRecordingServer(() => ({ status: 400 }));
  mcp = await startMcp(["--secret", SECRET, "--db", db], home.env);
});

afterAll(async () => {
  await mcp?.close();
  await listen?.stop();
  await receiver?.close();
  await failingReceiver?.close();
  home?.cleanup();
});

/** Sends one event through the server to listen and waits until listen has stored it. */
async function simulated(args: Record<string, unknown> = {}): Promise<{ id: number; eventId: string; result: Record<string, unknown> }> {
  const { isError, text, data } = await mcp.call("simulate_event", { event: "paystubs.added", to: listen.url, ...args });
  expect(isError, text).toBe(false);
  const eventId = data.event_id as string;
  const line = (await listen.waitFor((l) => (l as { event_id?: string }).event_id === eventId)) as { id: number };
  return { id: line.id, eventId, result: data };
}

describe("pinwheel-cli mcp over stdio", () => {
  it("lists its tools, each with a description and an input schema, and the fixtures and scenarios as resources", async () => {
    const { tools } = await mcp.client.listTools();
    expect(tools.map((tool) => tool.name)).toEqual(TOOLS);
    for (const tool of tools) {
      expect(tool.description!.length, tool.name).toBeGreaterThan(200);
      expect(tool.inputSchema.type).toBe("object");
    }
    expect(tools.find((tool) => tool.name === "simulate_event")!.inputSchema.required).toEqual(["event"]);

    const { resources } = await mcp.client.listResources();
    const uris = resources.map((resource) => resource.uri);
    for (const name of EVENT_NAMES) expect(uris).toContain(`pinwheel://fixtures/${name}`);
    expect(uris).toContain("pinwheel://scenarios/at-least-once");
    const fixture = await mcp.client.readResource({ uri: "pinwheel://fixtures/income.added" });
    expect((fixture.contents[0] as { text: string }).text).toBe(readFileSync(fixturePath("income.added"), "utf8"));
    const scenario = await mcp.client.readResource({ uri: "pinwheel://scenarios/pending-then-success" });
    expect(JSON.parse((scenario.contents[0] as { text: string }).text).name).toBe("pending-then-success");
  });

  it("answers a fixture or scenario that does not exist -32602 Invalid params, not -32603 Internal error", async () => {
    for (const [uri, message] of [
      ["pinwheel://fixtures/nope", /no fixture for "nope"; list_event_types shows every event/],
      ["pinwheel://scenarios/nope", /no built-in scenario "nope"; built-in: /],
    ] as const) {
      const error = await mcp.client.readResource({ uri }).then(
        () => undefined,
        (thrown: unknown) => thrown as { code?: number; message: string },
      );
      expect(error?.code, uri).toBe(-32602);
      expect(error?.message).toMatch(message);
    }
  });

  it("list_event_types: the catalog, filtered by family", async () => {
    const all = await mcp.call("list_event_types", {});
    expect((all.data.events as unknown[]).length).toBe(EVENT_NAMES.length);
    const shifts = await mcp.call("list_event_types", { family: "shifts" });
    const names = (shifts.data.events as { name: string; job: boolean }[]).map((event) => event.name);
    expect(names).toEqual(EVENT_NAMES.filter((name) => name.startsWith("shifts.")));
    expect(shifts.text).toContain("shifts.fully_synced");
  });

  it("simulate_event: a signed event with overrides reaches listen verified, attempt by attempt as simulate --json, and is recorded", async () => {
    const { id, eventId, result } = await simulated({ outcome: "error", account_id: "acct-mcp-1", set: { "payload.params.count": 7 } });
    expect(result.ok).toBe(true);
    const attempts = result.attempts as Record<string, unknown>[];
    expect(attempts).toHaveLength(1);
    expect(attempts[0]).toMatchObject({ type: "attempt", event: "paystubs.added", event_id: eventId, attempt: 1, ok: true, status_code: 200 });
    expect(typeof attempts[0]!.duration_ms).toBe("number");

    const shown = await mcp.call("get_request", { id });
    expect(shown.isError, shown.text).toBe(false);
    expect(shown.data).toMatchObject({ id, event_id: eventId, verification: "verified", account_id: "acct-mcp-1", body_encoding: "utf8" });
    const body = JSON.parse(shown.data.body as string) as { payload: Record<string, unknown> };
    expect(body.payload).toMatchObject({ outcome: "error", account_id: "acct-mcp-1", params: expect.objectContaining({ count: 7 }) });
    // The send is recorded in the store like the CLI's.
    expect(shown.data.deliveries).toEqual([expect.objectContaining({ source: "simulate", event_id: eventId, status_code: 200 })]);
  });

  it("simulate_event with retry: a 5XX is retried on the compressed schedule and every attempt comes back", async () => {
    const flaky = await startRecordingServer((index) => ({ status: index < 2 ? 503 : 200 }));
    try {
      const { data } = await mcp.call("simulate_event", { event: "income.added", to: flaky.url, retry: true, retry_base_ms: 5 });
      expect((data.attempts as { status_code: number }[]).map((a) => a.status_code)).toEqual([503, 503, 200]);
      expect(data.ok).toBe(true);
      expect(flaky.requests).toHaveLength(3);
    } finally {
      await flaky.close();
    }
  });

  it("list_requests and get_request: what events list / events show return, with the same filters", async () => {
    const { eventId } = await simulated({ account_id: "acct-filter-9" });
    const listed = await mcp.call("list_requests", { account_id: "acct-filter-9" });
    expect(listed.data.requests).toEqual([expect.objectContaining({ event_id: eventId, verified: true, status_code: 200 })]);
    const byVerdict = await mcp.call("list_requests", { verdict: "failed", since: "1h" });
    expect(byVerdict.data.requests).toEqual([]);
    const byEvent = await mcp.call("list_requests", { event: "paystubs.added", limit: 1 });
    expect((byEvent.data.requests as unknown[]).length).toBe(1);

    const byEventId = await mcp.call("get_request", { id: eventId });
    expect(byEventId.data.event_id).toBe(eventId);
    expect(byEventId.data.headers).toEqual(expect.arrayContaining([expect.arrayContaining(["x-pinwheel-signature"])]));
  });

  it("get_request: a body that is not UTF-8 comes back as base64, byte for byte", async () => {
    const bytes = Buffer.from([0x7b, 0xff, 0xfe, 0x00, 0x7d]);
    const answer = await fetch(listen.url, { method: "POST", body: bytes, headers: { "content-type": "application/json" } });
    expect(answer.status).toBe(401);
    const line = (await listen.waitFor((l) => (l as { body_size?: number; verified?: boolean }).body_size === 5)) as { id: number };
    const shown = await mcp.call("get_request", { id: line.id });
    expect(shown.data.body_encoding).toBe("base64");
    expect(Buffer.from(shown.data.body as string, "base64")).toEqual(bytes);
  });

  it("verify_request: a stored request by id, and a raw body and headers whose body was re-serialized, as verify --json", async () => {
    const { id } = await simulated();
    const good = await mcp.call("verify_request", { id });
    expect(good.data).toMatchObject({ valid: true, reason: null, secret_source: "flag", request: expect.objectContaining({ id }) });
    expect(good.data.diagnoses).toEqual(expect.arrayContaining([expect.objectContaining({ code: "body_reserialized", matched: false })]));

    const stored = await mcp.call("get_request", { id });
    const headers = Object.fromEntries(stored.data.headers as [string, string][]);
    const reserialized = JSON.stringify(JSON.parse(stored.data.body as string), null, 2);
    const bad = await mcp.call("verify_request", { body: reserialized, headers });
    expect(bad.isError).toBe(false);
    expect(bad.data).toMatchObject({ valid: false, reason: "bad_signature", request: null });
    expect(bad.data.diagnoses).toEqual(expect.arrayContaining([expect.objectContaining({ code: "body_reserialized", matched: true })]));
    expect(bad.text).toMatch(/re-?serial/i);
  });

  it("replay_request: re-signed with a fresh timestamp, or exactly as recorded, to a local receiver; recorded as replay", async () => {
    const { id, eventId } = await simulated();
    const stored = await mcp.call("get_request", { id });

    const resigned = await mcp.call("replay_request", { id, to: receiver.url });
    expect(resigned.data).toMatchObject({ sent: 1, ok: 1, failed: 0, as_recorded: false });
    expect((resigned.data.attempts as Record<string, unknown>[])[0]).toMatchObject({ event_id: eventId, status_code: 200, request_id: id });
    const replayed = receiver.requests.at(-1)!;
    expect(replayed.body.toString("utf8")).toBe(stored.data.body);
    expect(verifyWebhook({ secret: SECRET, headers: replayed.headers as Record<string, string>, rawBody: replayed.body }).ok).toBe(true);

    const recorded = await mcp.call("replay_request", { id: [eventId], to: receiver.url, as_recorded: true });
    expect(recorded.data).toMatchObject({ sent: 1, as_recorded: true });
    const original = Object.fromEntries(stored.data.headers as [string, string][]);
    expect(receiver.requests.at(-1)!.headers["x-pinwheel-signature"]).toBe(original["x-pinwheel-signature"]);
    expect(receiver.requests.at(-1)!.headers["x-timestamp"]).toBe(original["x-timestamp"]);

    const after = await mcp.call("get_request", { id });
    expect((after.data.deliveries as { source: string }[]).filter((d) => d.source === "replay")).toHaveLength(2);
  });

  it("replay_request as_recorded of a request whose signature was malformed: a refusal passes, as it must, and nothing blames the secret", async () => {
    const body = JSON.stringify({ event: "income.added", event_id: crypto.randomUUID(), payload: {} });
    const stored = await fetch(listen.url, {
      method: "POST",
      body,
      headers: { "content-type": "application/json", "x-pinwheel-signature": "v2=not-hex", "x-timestamp": String(Math.floor(Date.now() / 1000)) },
    });
    expect(stored.status).toBe(401);
    const { id } = (await stored.json()) as { id: number };
    const refusing = await startRecordingServer(() => ({ status: 401 }));
    try {
      const recorded = await mcp.call("replay_request", { id, to: refusing.url, as_recorded: true });
      expect(recorded.isError).toBe(false);
      // Refused, as what no secret verifies must be: that passes.
      expect(recorded.data).toMatchObject({ sent: 1, failed: 0, as_recorded: true, failure: null });
      expect(refusing.requests[0]!.headers["x-pinwheel-signature"]).toBe("v2=not-hex");
      expect(recorded.data.attempts).toEqual([expect.objectContaining({ status_code: 401, expected: "refusal", passed: true })]);
      expect(recorded.text).toMatch(/^✔ 401 /m);
      expect(recorded.text).not.toMatch(/--secret|PINWHEEL_API_SECRET|is the secret/);
    } finally {
      await refusing.close();
    }
  });

  it("run_smoke: passes against listen, fails against a receiver answering 400, as smoke --json reports", async () => {
    const events = ["account.added", "income.added", "paystubs.fully_synced"];
    const passing = await mcp.call("run_smoke", { to: listen.url, events });
    expect(passing.data).toMatchObject({ url: listen.url, expect: ["2xx"], passed: 3, failed: 0 });
    expect((passing.data.checks as { event: string }[]).map((check) => check.event)).toEqual(events);

    const failing = await mcp.call("run_smoke", { to: failingReceiver.url, events: ["account.added"] });
    expect(failing.isError).toBe(false);
    expect(failing.data).toMatchObject({ passed: 0, failed: 1, checks: [expect.objectContaining({ passed: false, status_code: 400 })] });
    expect(failing.text).toContain("FAIL");

    const scenario = await mcp.call("run_smoke", { to: receiver.url, scenario: "pending-then-success" });
    expect(scenario.data.failed).toBe(0);
    expect((scenario.data.checks as unknown[]).length).toBeGreaterThan(1);
  });

  it("run_smoke plays built-in scenarios only: a path is never opened, so no file on the machine comes back in an error", async () => {
    const dir = mkdtempSync(join(tmpdir(), "pinwheel-mcp-scenario-"));
    const secretFile = join(dir, "leak.json");
    writeFileSync(secretFile, "sk_live_do_not_echo");
    try {
      for (const scenario of [secretFile, "../../../../etc/hostname", "at-least-once.json"]) {
        const refused = await mcp.call("run_smoke", { to: receiver.url, scenario });
        expect(refused, scenario).toMatchObject({ isError: true, text: expect.stringContaining("built-in scenarios:") });
        expect(refused.text).not.toContain("sk_live_do_not_echo");
        expect(refused.text).not.toContain("JSON");
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
    const typo = await mcp.call("run_smoke", { to: receiver.url, scenario: "at-least-onec" });
    expect(typo).toMatchObject({ isError: true, text: expect.stringContaining('did you mean "at-least-once"') });
  });

  it("run_conformance: a correct handler passes every check; one that accepts forged signatures fails that check, as smoke --suite conformance --json", async () => {
    const events = ["account.added", "paystubs.fully_synced"];
    const correct = await startHandler(SECRET);
    const broken = await startHandler(SECRET, acceptsForged);
    try {
      const passing = await mcp.call("run_conformance", { to: correct.url, events, state_url: correct.stateUrl });
      expect(passing.isError, passing.text).toBe(false);
      expect(passing.data, passing.text).toMatchObject({ suite: "conformance", url: correct.url, state_url: correct.stateUrl, failed: 0, warned: 0, passed: CHECK_IDS.length });
      const checks = passing.data.checks as { id: string; verdict: string; exchanges: unknown[] }[];
      expect(checks.map((check) => check.id)).toEqual([...CHECK_IDS]);
      expect(checks.filter((check) => check.verdict !== "pass")).toEqual([]);
      // Every request and its answer come back; genuine-events sent just the events named.
      expect(checks[0]!.exchanges).toEqual(events.map((event) => expect.objectContaining({ event, answer: expect.objectContaining({ status_code: 200 }) })));

      const failing = await mcp.call("run_conformance", { to: broken.url, checks: ["forged-signature", "genuine-events"], events });
      expect(failing.isError).toBe(false);
      // In order, one per check. The SDK's client runs a notification's handler a tick after it reads it, but
      // settles the request at once, so a last notification read in the same chunk as the result is dropped.
      const steps = [
        { progress: 1, total: 2, message: "genuine-events: pass" },
        { progress: 2, total: 2, message: "forged-signature: fail" },
      ];
      expect(failing.progress.length).toBeGreaterThanOrEqual(1);
      expect(failing.progress).toEqual(steps.slice(0, failing.progress.length));
      expect(failing.data).toMatchObject({ passed: 1, failed: 1 });
      const forged = (failing.data.checks as Record<string, unknown>[]).find((check) => check.id === "forged-signature");
      expect(forged).toMatchObject({ verdict: "fail", message: expect.stringMatching(/^answered 200 to a made-up signature/), fix: expect.any(String) });
      expect((forged!.exchanges as { evidence: boolean; answer: { status_code: number } }[])[0]).toMatchObject({ evidence: true, answer: { status_code: 200 } });
      expect(failing.text).toMatch(/FAIL {2}forged-signature/);
      expect(failing.text).toContain("fix:");
    } finally {
      await correct.close();
      await broken.close();
    }
  });

  it("run_conformance: a mistyped check is a tool error with a suggestion, and nothing answering is one line", async () => {
    const sentBefore = receiver.requests.length;
    const typo = await mcp.call("run_conformance", { to: receiver.url, checks: ["forged-signatures"] });
    expect(typo).toMatchObject({ isError: true, text: expect.stringContaining('did you mean "forged-signature"') });
    expect(typo.text).toMatch(/^"checks": unknown check/);
    expect(receiver.requests).toHaveLength(sentBefore);

    const gone = await startRecordingServer();
    const url = gone.url;
    await gone.close();
    const unreachable = await mcp.call("run_conformance", { to: url, checks: ["genuine-events"], events: ["account.added"] });
    expect(unreachable).toMatchObject({ isError: true, text: expect.stringMatching(/^nothing answered at .*is your app running there\?$/) });
  });

  it("input errors are tool errors, not crashes: the server keeps answering", async () => {
    const unknown = await mcp.call("simulate_event", { event: "paystub.added", to: listen.url });
    expect(unknown).toMatchObject({ isError: true });
    expect(unknown.text).toContain('did you mean "paystubs.added"');

    const badField = await mcp.call("simulate_event", { event: "paystubs.added", to: listen.url, set: { "payload.nope": 1 } });
    expect(badField.isError).toBe(true);
    expect(badField.text).toMatch(/^"set" payload\.nope: paystubs\.added has no such field/);

    const wrongType = await mcp.call("simulate_event", { event: 42 });
    expect(wrongType.isError).toBe(true);
    expect(wrongType.text).toMatch(/event/);

    expect(await mcp.call("run_smoke", {})).toMatchObject({ isError: true });
    expect(await mcp.call("get_request", { id: 999_999 })).toMatchObject({ isError: true, text: expect.stringContaining("no stored request") });
    expect(await mcp.call("list_requests", { verdict: "verifyed" })).toMatchObject({ isError: true, text: expect.stringContaining('did you mean "verified"') });
    expect(await mcp.call("list_requests", { since: "15" })).toMatchObject({ isError: true, text: expect.stringContaining("has no unit") });
    expect(await mcp.call("verify_request", {})).toMatchObject({ isError: true });
    expect(await mcp.call("replay_request", { id: 1, to: "not a url" })).toMatchObject({ isError: true, text: expect.stringContaining("is not a URL") });

    const { tools } = await mcp.client.listTools();
    expect(tools).toHaveLength(TOOLS.length);
  });

  it("refuses a target that is not this machine, before sending anything", async () => {
    const before = await mcp.call("list_requests", { limit: 1000 });
    const sentBefore = receiver.requests.length;
    for (const [tool, args] of [
      ["simulate_event", { event: "account.added", to: "http://192.0.2.10:3000/" }],
      ["replay_request", { id: 1, to: "https://example.com/webhooks" }],
      ["run_smoke", { to: "http://10.0.0.1/" }],
      ["run_conformance", { to: "http://203.0.113.7/webhooks" }],
      ["run_conformance", { to: receiver.url, state_url: "https://example.com/state" }],
    ] as const) {
      const refused = await mcp.call(tool, args);
      expect(refused.isError, tool).toBe(true);
      expect(refused.text, tool).toContain("--allow-remote");
    }
    const after = await mcp.call("list_requests", { limit: 1000 });
    expect(after.data.stored).toBe(before.data.stored);
    expect(receiver.requests).toHaveLength(sentBefore);
  });

  it("a *.localhost target, which needs no --allow-remote, is sent to this machine's loopback and not to whatever DNS names for it", async () => {
    const named = new URL(receiver.url);
    named.hostname = "hooks.localhost";
    const sentBefore = receiver.requests.length;
    const sent = await mcp.call("simulate_event", { event: "account.added", to: named.toString() });
    expect(sent.isError, sent.text).toBe(false);
    expect(receiver.requests).toHaveLength(sentBefore + 1);
    expect(receiver.requests.at(-1)!.headers.host).toBe(named.host);
  });

  it("the secret appears in no message and no log line, even when a stored request carries it", async () => {
    // A request whose body carries the secret itself (a handler that echoed its config): get_request must not.
    const body = JSON.stringify({ leaked: SECRET });
    await fetch(listen.url, { method: "POST", body, headers: { "content-type": "application/json" } });
    const line = (await listen.waitFor((l) => (l as { body_size?: number }).body_size === body.length)) as { id: number };
    const shown = await mcp.call("get_request", { id: line.id });
    expect(shown.data.body).toBe(JSON.stringify({ leaked: "[secret]" }));

    expect(mcp.messages.length).toBeGreaterThan(20);
    const everything = JSON.stringify(mcp.messages) + mcp.stderr();
    expect(everything).not.toContain(SECRET);
    expect(mcp.stderr()).toContain("secret from --secret");
  });
});

describe("pinwheel-cli mcp --base-url <a running mock>: the sandbox", () => {
  const MOCK_SECRET = "mcp-sandbox-secret-81d2e7";
  let sandboxHome: TempHome;
  let mockDb: Db;
  let mock: MockServer;
  let sink: WebhookSink;
  let webhookId: string;
  let sandboxMcp: McpSession;

  beforeAll(async () => {
    sandboxHome = tempHome();
    mockDb = openDatabase(join(sandboxHome.home, "mock.db"));
    const apiKey = apiKeyFingerprint(MOCK_SECRET);
    const registry = createLocalRegistry({ db: mockDb, apiKey });
    const sandbox = createSandbox({ db: mockDb, apiKey, secret: MOCK_SECRET, registry, timeoutMs: 5_000 });
    mock = await startMockServer({ host: "127.0.0.1", port: 0, secret: MOCK_SECRET, registry, sandbox: async () => sandbox });
    sink = await startWebhookSink(MOCK_SECRET);
    const webhook = await registry.create({ url: sink.url, status: "active", enabled_events: ["account.added", "paystubs.added", "paystubs.fully_synced"], version: "2023-11-22" });
    webhookId = webhook.id;
    // --db (the server's event store) goes with --base-url (the sandbox's home).
    sandboxMcp = await startMcp(["--secret", MOCK_SECRET, "--base-url", mock.url, "--db", join(sandboxHome.home, "events.db")], sandboxHome.env);
  });

  afterAll(async () => {
    await sandboxMcp?.close();
    await sink?.close();
    await mock?.close();
    mockDb?.close();
    sandboxHome?.cleanup();
  });

  it("sandbox_connect creates an account in the mock and delivers its events, signed, to the registered webhook", async () => {
    const { isError, text, data } = await sandboxMcp.call("sandbox_connect", { platform: "Gusto", end_user_id: "mcp-user-1", seed: 7, jobs: ["paystubs"] });
    expect(isError, text).toBe(false);
    expect(data).toMatchObject({ end_user_id: "mcp-user-1", platform_name: "Gusto", seed: 7, jobs: ["paystubs"], failed_deliveries: 0 });
    expect(data.account_id).toEqual(expect.any(String));
    const deliveries = data.deliveries as { event: string; event_id: string; ok: boolean; status: number; target: string; webhook_id: string }[];
    expect(deliveries.length).toBeGreaterThanOrEqual(3);
    for (const delivery of deliveries) expect(delivery).toMatchObject({ ok: true, status_code: 200, url: sink.url, webhook_id: webhookId });
    expect(deliveries[0]!.event).toBe("account.added");
    expect(deliveries.at(-1)!.event).toBe("paystubs.fully_synced");

    // What the sink received is what the tool reports, each verified with the secret, for the account it names.
    expect(sink.received.map((event) => event.event_id)).toEqual(deliveries.map((delivery) => delivery.event_id));
    for (const event of sink.received) expect(event).toMatchObject({ verified: true, webhookId, payload: expect.objectContaining({ account_id: data.account_id }) });
    expect(text).toContain(`account ${data.account_id as string}`);

    const listed = await sandboxMcp.call("sandbox_accounts", {});
    expect(listed.isError, listed.text).toBe(false);
    expect(listed.data.accounts).toEqual([expect.objectContaining({ id: data.account_id, end_user_id: "mcp-user-1", paystubs: data.paystubs })]);
  });

  it("sandbox_connect: a sandbox refusal names the tool's field, and the server keeps answering", async () => {
    const unknownJob = await sandboxMcp.call("sandbox_connect", { jobs: ["paystub"] });
    expect(unknownJob.isError).toBe(true);
    expect(unknownJob.text).toMatch(/^"jobs": /);
    const both = await sandboxMcp.call("sandbox_connect", { fail: ["income"], pending: ["income"] });
    expect(both).toMatchObject({ isError: true, text: expect.stringContaining('"fail" and "pending" both name income') });
    expect(JSON.stringify(sandboxMcp.messages) + sandboxMcp.stderr()).not.toContain(MOCK_SECRET);
  });
});
