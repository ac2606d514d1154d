/**
 * simulate --sandbox with the BUILT CLI (npm run build first): a running `mock`, a recording
 * webhook sink, then the simulated list events' ids and params checked against the mock's data API,
 * called with the mock's secret, as a handler that calls back would.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { request } from "undici";
import { runCli, tempHome, type TempHome } from "../helpers/cli.js";
import { startCliServer, type CliServer } from "../helpers/cli-server.js";
import { startWebhookSink, type ReceivedEvent, type WebhookSink } from "../helpers/webhook-sink.js";

const SECRET = "sk_simulate_sandbox_4e1d";
let home: TempHome;
let mock: CliServer;
let sink: WebhookSink;

beforeAll(async () => {
  home = tempHome();
  mock = await startCliServer(["mock", "--port", "0", "--json", "--secret", SECRET], home.env, 30_000);
  sink = await startWebhookSink(SECRET);
}, 40_000);
afterAll(async () => {
  await sink?.close();
  await mock?.stop();
  home.cleanup();
});

const cli = (args: string[]) => runCli([...args, "--secret", SECRET], { env: home.env, timeoutMs: 60_000 });

interface Item {
  id: string;
  pay_date?: string;
  start_date?: string;
}

async function api<T>(path: string): Promise<{ status: number; json: T }> {
  const response = await request(`${mock.ready.url}${path}`, { headers: { "x-api-secret": SECRET, "pinwheel-version": "2023-11-22" } });
  return { status: response.statusCode, json: (await response.body.json()) as T };
}

/** Every item of a list, following next_cursor. */
async function listAll(path: string): Promise<Item[]> {
  const items: Item[] = [];
  let cursor: string | null = null;
  do {
    const separator = path.includes("?") ? "&" : "?";
    const page: { status: number; json: { data: Item[]; meta: { next_cursor: string | null } } } = await api(
      `${path}${separator}limit=100${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ""}`,
    );
    expect(page.status, path).toBe(200);
    items.push(...page.json.data);
    cursor = page.json.meta.next_cursor;
  } while (cursor);
  return items;
}

interface ListPayload {
  account_id: string;
  added?: { id: string }[];
  deleted?: { id: string }[];
  params: { count: number; from_pay_date?: string; to_pay_date?: string };
}

/** The paystubs the mock serves for the event's window are exactly the event's. */
async function expectPaystubWindow(event: ReceivedEvent): Promise<void> {
  const payload = event.payload as unknown as ListPayload;
  const { from_pay_date: from, to_pay_date: to, count } = payload.params;
  expect(from, event.event).toMatch(/^\d{4}-\d{2}-\d{2}$/);
  const served = await listAll(`/v1/accounts/${payload.account_id}/paystubs?from_pay_date=${from}&to_pay_date=${to}`);
  expect(served.length, `${event.event} ${from}..${to}`).toBe(count);
  if (payload.added) {
    expect(payload.added.map((item) => item.id).sort(), `${event.event} ${from}..${to}`).toEqual(served.map((item) => item.id).sort());
    expect(payload.added).toHaveLength(count);
    expect(payload.deleted).toEqual([]);
  }
}

/** What the sink got for one CLI run, and the run's stderr. */
async function receivedWith(run: () => Promise<{ code: number | null; stderr: string }>): Promise<{ events: ReceivedEvent[]; stderr: string }> {
  const before = sink.received.length;
  const result = await run();
  expect(result.code, result.stderr).toBe(0);
  return { events: sink.received.slice(before), stderr: result.stderr };
}

async function received(run: () => Promise<{ code: number | null; stderr: string }>): Promise<ReceivedEvent[]> {
  return (await receivedWith(run)).events;
}

describe("simulate --sandbox: list events agree with the mock's data API", { timeout: 60_000 }, () => {
  it("paystubs.added lists exactly the paystubs GET …/paystubs returns for its window", async () => {
    const events = await received(() => cli(["simulate", "paystubs.added", "--sandbox", mock.ready.url, "--to", sink.url]));
    expect(events.map((event) => event.event)).toEqual(["paystubs.added"]);
    expect(events[0]!.verified).toBe(true);
    expect((events[0]!.payload as unknown as ListPayload).added!.length).toBeGreaterThan(0);
    await expectPaystubWindow(events[0]!);
  });

  it("shifts.added lists shifts the account has: exactly those dated within its span, count included", async () => {
    const events = await received(() => cli(["simulate", "shifts.added", "--sandbox", mock.ready.url, "--to", sink.url]));
    expect(events.map((event) => event.event)).toEqual(["shifts.added"]);
    const payload = events[0]!.payload as unknown as ListPayload;
    const shifts = await listAll(`/v1/accounts/${payload.account_id}/shifts`);
    const byId = new Map(shifts.map((shift) => [shift.id, shift]));
    const added = payload.added!.map((item) => item.id);
    expect(added.length).toBeGreaterThan(0);
    expect(payload.params.count).toBe(added.length);
    for (const id of added) expect(byId.has(id), id).toBe(true);
    const dates = added.map((id) => byId.get(id)!.start_date!).sort();
    const within = shifts.filter((shift) => shift.start_date! >= dates[0]! && shift.start_date! <= dates.at(-1)!).map((shift) => shift.id);
    expect(added.sort()).toEqual(within.sort());
  });

  it("--set still has the last word over the account's params", async () => {
    const events = await received(() => cli(["simulate", "paystubs.added", "--sandbox", mock.ready.url, "--to", sink.url, "--set", "payload.params.count=999"]));
    const payload = events[0]!.payload as unknown as ListPayload;
    expect(payload.params.count).toBe(999);
    // The rest is still the account's: its window serves the listed ids.
    const served = await listAll(`/v1/accounts/${payload.account_id}/paystubs?from_pay_date=${payload.params.from_pay_date}&to_pay_date=${payload.params.to_pay_date}`);
    expect(payload.added!.map((item) => item.id).sort()).toEqual(served.map((item) => item.id).sort());
  });

  it("--outcome error connects the account with that job failed: no paystubs listed, none served", async () => {
    const events = await received(() => cli(["simulate", "paystubs.added", "--outcome", "error", "--sandbox", mock.ready.url, "--to", sink.url]));
    const payload = events[0]!.payload as unknown as ListPayload & { outcome: string };
    expect(payload).toMatchObject({ outcome: "error", added: [], params: { count: 0 } });
    const paystubs = await api<{ error: { code: string } }>(`/v1/accounts/${payload.account_id}/paystubs`);
    expect(paystubs.status).toBe(404);
    expect(paystubs.json.error.code).toBe("data_not_available");
  });

  it("scenario paystubs-sync: every paystubs event's ids and window agree with GET …/paystubs", async () => {
    const { events, stderr } = await receivedWith(() => cli(["simulate", "--scenario", "paystubs-sync", "--speed", "100", "--sandbox", mock.ready.url, "--to", sink.url]));
    // The account is random: one paid monthly may have no paystub in the last 7 days, hence no
    // seven_days_synced event; simulate then says so and that event keeps the fixture's values.
    const without = /sent no (.+?) event with/.exec(stderr)?.[1]?.split(", ") ?? [];
    expect(without.every((name) => name.endsWith("_synced")), stderr).toBe(true);
    const paystubEvents = events.filter((event) => event.event.startsWith("paystubs."));
    expect(paystubEvents.map((event) => event.event)).toEqual([
      "paystubs.added",
      "paystubs.seven_days_synced",
      "paystubs.thirty_days_synced",
      "paystubs.ninety_days_synced",
      "paystubs.fully_synced",
      "paystubs.added",
    ]);
    const accounts = new Set(events.map((event) => event.payload.account_id));
    expect(accounts.size).toBe(1);
    // The two paystubs.added are the account's first two batches: different paystubs.
    const [first, second] = paystubEvents.filter((event) => event.event === "paystubs.added").map((event) => (event.payload as unknown as ListPayload).added!.map((item) => item.id));
    expect(first!.some((id) => second!.includes(id))).toBe(false);
    for (const event of paystubEvents) {
      if (!without.includes(event.event)) await expectPaystubWindow(event);
    }
  });

  it("--seed gives the same account, and so the same batch, every run of the day; without --sandbox it is a usage error", async () => {
    const run = () => received(() => cli(["simulate", "paystubs.added", "--sandbox", mock.ready.url, "--seed", "42", "--to", sink.url]));
    const [first] = await run();
    const [again] = await run();
    const payloadOf = (event: ReceivedEvent | undefined) => event!.payload as unknown as ListPayload;
    expect(payloadOf(again).account_id).toBe(payloadOf(first).account_id);
    expect(payloadOf(again).added).toEqual(payloadOf(first).added);
    expect(again!.event_id).not.toBe(first!.event_id);
    // The account replaced by the second run still serves the batch.
    await expectPaystubWindow(again!);
    const [other] = await run().then(() => received(() => cli(["simulate", "paystubs.added", "--sandbox", mock.ready.url, "--seed", "43", "--to", sink.url])));
    expect(payloadOf(other).account_id).not.toBe(payloadOf(first).account_id);

    const withoutSandbox = await cli(["simulate", "paystubs.added", "--seed", "42", "--to", sink.url]);
    expect(withoutSandbox.code).toBe(2);
    expect(withoutSandbox.stderr).toContain("--seed picks the sandbox account; it goes with --sandbox <mock-url>");
  });

  it("a secret the mock refuses: exit 1, nothing sent, and the hint says the mock and the app share one secret", async () => {
    const before = sink.received.length;
    const refused = await runCli(["simulate", "paystubs.added", "--sandbox", mock.ready.url, "--to", sink.url, "--secret", "not-the-mocks-secret"], { env: home.env, timeoutMs: 60_000 });
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(/error: --sandbox http:\/\/127\.0\.0\.1:\d+\/? refused to create an account \(401 /);
    expect(refused.stderr).toContain("the mock and your app need the same API secret (it calls the mock and signs the events): start the mock with the one your app verifies with");
    expect(sink.received.length).toBe(before);
  });
});
