/**
 * What a tool call gives back and what it refuses, as a first-time agent meets it: the handler's
 * answer in every attempt, unknown arguments refused with the nearest one, run_smoke's end user as
 * smoke's, results of bounded size, a base64 body that is not base64. A spawned, built
 * `pinwheel-cli mcp` driven by the SDK's client (slow tier: run `npm run build` first).
 */
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runCli, startListen, tempHome, type Listener, type TempHome } from "../helpers/cli.js";
import { startMcp, type McpSession } from "../helpers/mcp.js";
import { startRecordingServer, type RecordingServer } from "../helpers/servers.js";

const SECRET = "mcp-results-secret-8c1e44";

let home: TempHome;
let db: string;
let listen: Listener;
let receiver: RecordingServer;
let refusing: RecordingServer;
let mcp: McpSession;

beforeAll(async () => {
  home = tempHome();
  db = join(home.home, "events.db");
  const configured = await runCli(["config", "set", "end-user-id", "user_from_config"], { env: home.env });
  expect(configured.code, configured.stderr).toBe(0);
  listen = await startListen(["--secret", SECRET, "--db", db], home.env);
  receiver = await startRecordingServer();
  refusing = await startRecordingServer(() => ({ status: 422 }));
  mcp = await startMcp(["--secret", SECRET, "--db", db], home.env);
});

afterAll(async () => {
  await mcp?.close();
  await listen?.stop();
  await receiver?.close();
  await refusing?.close();
  home?.cleanup();
});

describe("what the handler answered", () => {
  it("simulate_event, replay_request and run_smoke carry each attempt's response_body (the attempt log's excerpt), in the text too when it failed", async () => {
    const simulated = await mcp.call("simulate_event", { event: "paystubs.added", to: refusing.url });
    expect(simulated.isError, simulated.text).toBe(false);
    expect((simulated.data.attempts as Record<string, unknown>[])[0]).toMatchObject({ status_code: 422, response_body: '{"recorded":0}' });
    expect(simulated.text).toContain('{"recorded":0}');

    const stored = await mcp.call("simulate_event", { event: "income.added", to: listen.url });
    const eventId = stored.data.event_id as string;
    expect((stored.data.attempts as Record<string, unknown>[])[0]!.response_body).toMatch(/^\{"received":true,"id":\d+/);
    await listen.waitFor((line) => (line as { event_id?: string }).event_id === eventId);
    const replayed = await mcp.call("replay_request", { id: eventId, to: receiver.url });
    expect((replayed.data.attempts as Record<string, unknown>[])[0]).toMatchObject({ status_code: 200, response_body: '{"recorded":0}' });

    const smoke = await mcp.call("run_smoke", { to: refusing.url, events: ["paystubs.added"] });
    expect((smoke.data.checks as Record<string, unknown>[])[0]).toMatchObject({ passed: false, status_code: 422, response_body: '{"recorded":1}' });
  });
});

describe("arguments a tool does not take", () => {
  it("are refused as a tool error naming the nearest argument, and nothing is sent", async () => {
    const before = receiver.requests.length;
    const url = await mcp.call("simulate_event", { event: "paystubs.added", url: receiver.url });
    expect(url.isError).toBe(true);
    expect(url.text).toBe('simulate_event has no argument "url"; did you mean "to"?');

    const event = await mcp.call("run_smoke", { to: receiver.url, event: "paystubs.added" });
    expect(event.isError).toBe(true);
    expect(event.text).toBe('run_smoke has no argument "event"; did you mean "events"?');
    expect(receiver.requests.length).toBe(before);

    const status = await mcp.call("list_requests", { status: 500 });
    expect(status.isError).toBe(true);
    expect(status.text).toMatch(/^list_requests has no argument "status"; use event, account_id, verdict, since, limit$/);

    const none = await mcp.call("sandbox_accounts", { all: true });
    expect(none).toMatchObject({ isError: true, text: 'sandbox_accounts has no argument "all"; it takes none' });
  });

  it("the refusal does not echo the secret as an argument's name", async () => {
    const result = await mcp.call("simulate_event", { event: "paystubs.added", [SECRET]: 1 });
    expect(result.isError).toBe(true);
    expect(result.text).toBe('simulate_event has no argument "[secret]"; use event, to, set, add, unset, outcome, account_id, end_user_id, retry, retry_base_ms, timeout_ms');
    expect(mcp.stderr()).not.toContain(SECRET);
  });

  it("the input schemas say so (additionalProperties: false)", async () => {
    const { tools } = await mcp.client.listTools();
    for (const tool of tools) expect(tool.inputSchema.additionalProperties, tool.name).toBe(false);
  });
});

describe("run_smoke's end user", () => {
  it("takes end_user_id, and without it uses the configured end-user-id, as smoke does", async () => {
    const configured = await mcp.call("run_smoke", { to: receiver.url, events: ["paystubs.added"] });
    expect(configured.data).toMatchObject({ end_user_id: "user_from_config", unrecognised_end_user_acknowledged: false });
    const sent = JSON.parse(receiver.requests.at(-1)!.body.toString("utf8")) as { payload: { end_user_id: string } };
    expect(sent.payload.end_user_id).toBe("user_from_config");

    const given = await mcp.call("run_smoke", { to: receiver.url, events: ["paystubs.added"], end_user_id: "user_given" });
    expect(given.data).toMatchObject({ end_user_id: "user_given" });
    expect((JSON.parse(receiver.requests.at(-1)!.body.toString("utf8")) as { payload: { end_user_id: string } }).payload.end_user_id).toBe("user_given");
  });
});

describe("results of bounded size", () => {
  it("simulate_event leaves out a built body past 64 KiB, and get_request cuts a stored one there, each saying so and where the whole is", async () => {
    const big = "x".repeat(300 * 1024);
    const sent = await mcp.call("simulate_event", { event: "paystubs.added", to: listen.url, add: { "payload.padding": big } });
    expect(sent.isError, sent.text).toBe(false);
    expect(sent.data.body).toBeNull();
    expect(sent.data.body_cut).toMatchObject({ size: expect.any(Number), shown: 0 });
    expect(JSON.stringify(sent.data).length).toBeLessThan(20 * 1024);

    const eventId = sent.data.event_id as string;
    await listen.waitFor((line) => (line as { event_id?: string }).event_id === eventId);
    const shown = await mcp.call("get_request", { id: eventId });
    expect(shown.isError, shown.text).toBe(false);
    expect((shown.data.body as string).length).toBe(64 * 1024);
    expect(shown.data.body_cut).toMatchObject({ shown: 64 * 1024, size: expect.any(Number) });
    expect(shown.data.body_cut).toMatchObject({ whole: expect.stringContaining(`events show ${shown.data.id as number} --json`) });
    expect(shown.text.length).toBeLessThan(70 * 1024);
    expect(JSON.stringify(shown.data).length).toBeLessThan(70 * 1024);
  });
});

describe("verify_request's base64 body", () => {
  it("refuses a body that is not base64", async () => {
    const result = await mcp.call("verify_request", { body: "not base64!!", body_encoding: "base64", headers: { "x-pinwheel-signature": "v2=00", "x-timestamp": "1" } });
    expect(result.isError).toBe(true);
    expect(result.text).toMatch(/^"body" is not base64/);
  });
});

describe("hints in the tools' terms", () => {
  it("an unknown event names list_event_types, not a CLI command", async () => {
    const result = await mcp.call("run_smoke", { to: receiver.url, events: ["nonsense.event"] });
    expect(result.isError).toBe(true);
    expect(result.text).toContain("list_event_types");
    expect(result.text).not.toContain("pinwheel-cli");
  });
});

describe("a URL's password in a result", () => {
  it("is never echoed: simulate_event's and run_smoke's url, text and checks show ***@ (the CLI's --json does too)", async () => {
    const withPassword = receiver.url.replace("http://", "http://user:hunter2pw@");
    const simulated = await mcp.call("simulate_event", { event: "paystubs.added", to: withPassword });
    const smoke = await mcp.call("run_smoke", { to: withPassword, events: ["paystubs.added"] });
    for (const result of [simulated, smoke]) {
      expect(result.isError, result.text).toBe(false);
      expect(JSON.stringify(result.data)).not.toContain("hunter2pw");
      expect(result.text).not.toContain("hunter2pw");
    }
    expect(simulated.data.url).toBe(receiver.url.replace("http://", "http://***@"));
  });
});
