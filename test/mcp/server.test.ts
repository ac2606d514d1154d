/**
 * The MCP server end to end: a spawned, built `pinwheel-cli mcp` driven by the SDK's own client
 * over stdio, against a running `pinwheel-cli listen` and a local receiver (real HTTP on
 * 127.0.0.1, real SQLite in a temp dir). Slow tier: run `npm run build` first.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { fixturePath } from "../../src/events/fixtures.js";
import { EVENT_NAMES } from "../../src/events/catalog.js";
import { verifyWebhook } from "../../src/signing.js";
import { startListen, tempHome, type Listener, type TempHome } from "../helpers/cli.js";
import { startMcp, type McpSession } from "../helpers/mcp.js";
import { startRecordingServer, type RecordingServer } from "../helpers/servers.js";

const SECRET = "mcp-test-secret-5f1c0ab9d2";
const TOOLS = ["list_event_types", "simulate_event", "list_requests", "get_request", "verify_request", "replay_request", "run_smoke"];

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
    for (const [tool, args] of [
      ["simulate_event", { event: "account.added", to: "http://192.0.2.10:3000/" }],
      ["replay_request", { id: 1, to: "https://example.com/webhooks" }],
      ["run_smoke", { to: "http://10.0.0.1/" }],
    ] as const) {
      const refused = await mcp.call(tool, args);
      expect(refused.isError, tool).toBe(true);
      expect(refused.text, tool).toContain("--allow-remote");
    }
    const after = await mcp.call("list_requests", { limit: 1000 });
    expect(after.data.stored).toBe(before.data.stored);
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
