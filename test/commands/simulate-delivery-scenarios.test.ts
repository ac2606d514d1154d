/**
 * simulate --scenario through the BUILT binary against a recording receiver: every built-in
 * scenario's received sequence, step by step, with threaded ids, dates, duplicates, order and
 * concurrency; --speed; and malformed scenario files.
 */
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { verifyWebhook } from "../../src/signing.js";
import { runCli, tempHome, type TempHome } from "../helpers/cli.js";
import { deliveriesList, expectExit, expectOneLineError, ndjson } from "../helpers/delivery-cli.js";
import {
  BUILT_IN_SCENARIOS,
  daysAgo,
  daysBetween,
  EXPECTED_DELIVERIES,
  UNORDERED_PAIRS,
  type BuiltInScenario,
} from "../helpers/scenario-expectations.js";
import { startRecordingServer, useRecordingServers, type RecordedRequest, type RecordingServer } from "../helpers/servers.js";

const SECRET = "scenario-delivery-secret";
/** Every answer waits this long, so a delivery sent before the previous answer shows in the arrival times. */
const ANSWER_DELAY_MS = 25;
/** The concurrent pair in time-and-attendance is answered slowly, so its overlap is unmistakable. */
const CONCURRENT_DELAY_MS = 500;

let home: TempHome;

beforeAll(() => {
  home = tempHome();
});
afterAll(() => home.cleanup());

const server = useRecordingServers();

interface Envelope {
  event: string;
  event_id: string;
  payload: Record<string, unknown> & { params?: Record<string, unknown> };
}

function envelope(request: RecordedRequest): Envelope {
  return JSON.parse(request.body.toString("utf8")) as Envelope;
}

interface ScenarioLine {
  type: "scenario";
  name: string;
  deliveries: { step: number; label: string | null; kind: string; out_of_order: boolean; event: string; event_id: string; ok: boolean; status_code: number }[];
}

interface Played {
  requests: RecordedRequest[];
  sent: Envelope[];
  report: ScenarioLine;
  attempts: Record<string, unknown>[];
  startedAt: number;
}

/** Plays a built-in scenario at --speed 1000 into a receiver that answers after a short delay. */
async function play(name: BuiltInScenario, extra: string[] = []): Promise<Played> {
  const expected = EXPECTED_DELIVERIES[name];
  const slow = new Set((UNORDERED_PAIRS[name] ?? []).flat());
  const target = await server((index) => ({ status: 200, delayMs: slow.has(index) ? CONCURRENT_DELAY_MS : ANSWER_DELAY_MS }));
  const startedAt = Date.now();
  const result = await runCli(
    ["simulate", "--scenario", name, "--speed", "1000", "--to", target.url, "--secret", SECRET, "--json", ...extra],
    { env: home.env },
  );
  expectExit(result, 0);
  const lines = ndjson(result.stdout);
  const report = lines.find((line) => line.type === "scenario") as unknown as ScenarioLine;
  expect(report).toBeDefined();
  expect(report.name).toBe(name);
  expect(target.requests).toHaveLength(expected.length);
  return {
    requests: target.requests,
    sent: target.requests.map(envelope),
    report,
    attempts: lines.filter((line) => line.type === "attempt"),
    startedAt,
  };
}

/** Arrival order is the expected order, except that an unordered pair may arrive swapped. */
function arrivalPositions(name: BuiltInScenario, sent: Envelope[]): number[] {
  const expected = EXPECTED_DELIVERIES[name];
  const positions = expected.map((_, i) => i);
  for (const [a, b] of UNORDERED_PAIRS[name] ?? []) {
    if (sent[a]!.event === expected[b]!.event && sent[b]!.event === expected[a]!.event) {
      positions[a] = b;
      positions[b] = a;
    }
  }
  return positions;
}

function expectCommonShape(name: BuiltInScenario, played: Played): void {
  const expected = EXPECTED_DELIVERIES[name];
  const positions = arrivalPositions(name, played.sent);
  // Step by step: the event each arrival carries, and what the player says it was.
  played.sent.forEach((sent, i) => {
    const want = expected[positions[i]!]!;
    expect(sent.event, `${name}: delivery ${i + 1}`).toBe(want.event);
  });
  const reported = played.report.deliveries;
  expect(reported.map((d) => [d.step, d.event, d.kind, d.out_of_order])).toEqual(
    positions.map((p) => {
      const want = expected[p]!;
      return [want.step, want.event, want.kind, want.outOfOrder ?? false];
    }),
  );
  // The report's event_ids are the ones that arrived, in the same order when answered in order.
  expect(new Set(reported.map((d) => d.event_id))).toEqual(new Set(played.sent.map((s) => s.event_id)));
  expect(reported.every((d) => d.ok && d.status_code === 200)).toBe(true);

  // Duplicates and resends repeat the tagged delivery's bytes and event_id; the rest are new events.
  const tagged = new Map<string, RecordedRequest>();
  positions.forEach((p, i) => expected[p]!.tag && tagged.set(expected[p]!.tag!, played.requests[i]!));
  const fresh = new Set<string>();
  positions.forEach((p, i) => {
    const want = expected[p]!;
    const request = played.requests[i]!;
    if (want.sameAs) {
      const original = tagged.get(want.sameAs)!;
      expect(request.body.equals(original.body), `${name}: delivery ${i + 1} repeats ${want.sameAs}`).toBe(true);
    } else {
      expect(fresh.has(played.sent[i]!.event_id), `${name}: delivery ${i + 1} has a new event_id`).toBe(false);
      fresh.add(played.sent[i]!.event_id);
    }
  });

  // Every delivery is signed with the secret and a current timestamp.
  for (const request of played.requests) {
    expect(verifyWebhook({ secret: SECRET, headers: request.headers, rawBody: request.body })).toMatchObject({ ok: true });
  }

  // One account, end user and link token threaded through every event that has the field.
  for (const field of ["account_id", "end_user_id", "link_token_id"]) {
    const values = new Set(played.sent.filter((s) => field in s.payload).map((s) => s.payload[field]));
    expect(values.size, `${name}: ${field} values ${[...values].join(", ")}`).toBe(1);
  }
  expect(played.sent.every((s) => "account_id" in s.payload)).toBe(true);

  // Strictly in order: each delivery went out only after the previous one was answered, except
  // inside a concurrent pair, whose two deliveries were in flight together. After a pair, the
  // next delivery waits for the answer to the pair's second step (the one that is not concurrent).
  const concurrentPairs = UNORDERED_PAIRS[name] ?? [];
  const times = played.requests.map((r) => r.receivedAt);
  for (let i = 1; i < times.length; i++) {
    const within = concurrentPairs.find(([a, b]) => a === i - 1 && b === i);
    const after = concurrentPairs.find(([, b]) => b === i - 1);
    if (within) {
      expect(Math.abs(times[i]! - times[i - 1]!), `${name}: deliveries ${i} and ${i + 1} overlap`).toBeLessThan(CONCURRENT_DELAY_MS);
    } else if (after) {
      const awaited = positions.indexOf(after[1]);
      expect(times[i]! - times[awaited]!, `${name}: delivery ${i + 1} waited for the answer to delivery ${awaited + 1}`).toBeGreaterThanOrEqual(
        CONCURRENT_DELAY_MS - 2,
      );
    } else {
      expect(times[i]! - times[i - 1]!, `${name}: delivery ${i + 1} waited for answer ${i}`).toBeGreaterThanOrEqual(ANSWER_DELAY_MS - 2);
    }
  }
}

describe("simulate --scenario plays each built-in scenario", () => {
  it("at-least-once: an immediate duplicate, an out-of-order event and two late resends", async () => {
    const played = await play("at-least-once");
    expectCommonShape("at-least-once", played);
    const [login, seven, sevenDuplicate, ninety, thirty, sevenResend, fully, loginResend] = played.sent;
    expect(sevenDuplicate!.event_id).toBe(seven!.event_id);
    expect(sevenResend!.event_id).toBe(seven!.event_id);
    expect(loginResend!.event_id).toBe(login!.event_id);
    // The 30-day event arrives after the 90-day one; counts still say which covers more.
    expect(thirty!.payload.params!.count as number).toBeLessThan(ninety!.payload.params!.count as number);
    expect(fully!.payload.params!.count as number).toBeGreaterThan(ninety!.payload.params!.count as number);
    expect(played.report.deliveries[4]).toMatchObject({ event: "paystubs.thirty_days_synced", out_of_order: true, label: "thirty" });
  });

  it("direct-deposit-switch: one switch per allocation type, then the allocations", async () => {
    const played = await play("direct-deposit-switch");
    expectCommonShape("direct-deposit-switch", played);
    const switches = played.sent.filter((s) => s.event === "direct_deposit_switch.added");
    expect(switches.map((s) => (s.payload.params!.allocation as { type: string }).type)).toEqual(["amount", "percentage", "remainder"]);
    expect(switches.map((s) => s.payload.params!.action)).toEqual(["partial_switch", "partial_switch", "partial_switch"]);
    expect(new Set(switches.map((s) => s.payload.id)).size).toBe(3);
  });

  it("monitoring-lost-and-restored: degraded, user action required, active again, then fresh data", async () => {
    const played = await play("monitoring-lost-and-restored");
    expectCommonShape("monitoring-lost-and-restored", played);
    expect(played.sent[0]!.payload).toMatchObject({ monitoring_status: "active", connected: true });
    const statuses = played.sent.filter((s) => s.event === "account.monitoring_status.updated").map((s) => s.payload.current_monitoring_status);
    expect(statuses).toEqual(["degraded", "user_action_required", "active"]);
    const paystubs = played.sent[5]!.payload.params!;
    expect(paystubs).toMatchObject({ sync_status: "complete", to_pay_date: daysAgo(played.startedAt, 2), from_pay_date: daysAgo(played.startedAt, 16) });
  });

  it("paystubs-sync: recent, consistent pay dates and a growing count, with --account-id threaded through", async () => {
    const played = await play("paystubs-sync", ["--account-id", "acct-from-the-flag"]);
    expectCommonShape("paystubs-sync", played);
    expect(played.sent.every((s) => s.payload.account_id === "acct-from-the-flag")).toBe(true);
    const today = played.startedAt;
    const params = played.sent.map((s) => s.payload.params);
    expect(params[0]).toBeUndefined(); // account.added has none
    const syncs = played.sent.slice(2, 6).map((s) => s.payload.params!);
    const counts = syncs.map((p) => p.count as number);
    expect(counts).toEqual([...counts].sort((a, b) => a - b));
    expect(new Set(counts).size).toBe(4);
    expect(syncs.slice(0, 3).map((p) => daysBetween(p.from_pay_date as string, p.to_pay_date as string))).toEqual([7, 30, 90]);
    for (const p of [...syncs, params[1]!, params[6]!]) {
      expect(p.to_pay_date).toBe(daysAgo(today, 2));
      expect(daysBetween(p.from_pay_date as string, daysAgo(today, 0))).toBeLessThanOrEqual(3 * 366);
    }
    expect(params[1]).toMatchObject({ sync_status: "in_progress" });
    expect(params[6]).toMatchObject({ sync_status: "complete", count: counts[3], from_pay_date: syncs[3]!.from_pay_date });
    expect(params[1]!.count as number).toBeLessThanOrEqual(params[6]!.count as number);
  });

  it("pending-then-success: the same job (payload.id) pending, then success, under new event_ids", async () => {
    const played = await play("pending-then-success");
    expectCommonShape("pending-then-success", played);
    const [, pending, employment, settled] = played.sent;
    expect(pending!.payload).toMatchObject({ outcome: "pending" });
    expect(settled!.payload).toMatchObject({ outcome: "success", id: pending!.payload.id });
    expect(settled!.event_id).not.toBe(pending!.event_id);
    expect(employment!.payload.id).not.toBe(pending!.payload.id);
  });

  it("time-and-attendance: shifts in order, with the 90-day and fully-synced events in flight together", async () => {
    const played = await play("time-and-attendance");
    expectCommonShape("time-and-attendance", played);
    expect(played.sent[0]!.payload.platform_name).toBe("When I Work");
    const shiftCounts = played.sent.filter((s) => s.event.startsWith("shifts.")).map((s) => s.payload.params!.count);
    expect(shiftCounts).toEqual([6, 6, 20, 58, 58, 58]);
    const added = played.sent.filter((s) => s.event === "shifts.added").map((s) => s.payload.params!.sync_status);
    expect(added).toEqual(["in_progress", "complete"]);
  });

  it("records every delivery of a scenario in the deliveries table", async () => {
    const played = await play("pending-then-success");
    const eventIds = played.sent.map((s) => s.event_id);
    const rows = (await deliveriesList(home.env)).filter((row) => eventIds.includes(row.event_id ?? ""));
    expect(rows.map((row) => [row.event_id, row.source, row.status_code])).toEqual(eventIds.map((id) => [id, "simulate", 200]));
    expect(played.attempts.map((line) => line.event_id)).toEqual(eventIds);
  });
});

describe("simulate --scenario headers", () => {
  it("sends x-pinwheel-webhook-id on every delivery, --webhook-id's when given, as Pinwheel does", async () => {
    const target = await server();
    const webhookId = "61788409-8314-4e89-9300-ae7b9d3ccff5";
    const given = await runCli(["simulate", "--scenario", "pending-then-success", "--speed", "1000", "--to", target.url, "--secret", SECRET, "--webhook-id", webhookId], {
      env: home.env,
    });
    expectExit(given, 0);
    expect(target.requests.map((r) => r.headers["x-pinwheel-webhook-id"])).toEqual(Array(4).fill(webhookId));

    const other = await server();
    expectExit(await runCli(["simulate", "--scenario", "pending-then-success", "--speed", "1000", "--to", other.url, "--secret", SECRET], { env: home.env }), 0);
    const ids = new Set(other.requests.map((r) => r.headers["x-pinwheel-webhook-id"]));
    expect(ids.size).toBe(1);
    expect([...ids][0]).toMatch(/^[0-9a-f-]{36}$/);
  });
});

describe("simulate --scenario --count", () => {
  it("plays the scenario again with a new account, end user and link token each time", async () => {
    const target = await server();
    const result = await runCli(
      ["simulate", "--scenario", "pending-then-success", "--count", "2", "--speed", "1000", "--to", target.url, "--secret", SECRET],
      { env: home.env },
    );
    expectExit(result, 0);
    const sent = target.requests.map(envelope);
    const expected = EXPECTED_DELIVERIES["pending-then-success"].map((d) => d.event);
    expect(sent.map((s) => s.event)).toEqual([...expected, ...expected]);
    const runs = [sent.slice(0, 4), sent.slice(4)];
    for (const field of ["account_id", "end_user_id", "link_token_id"]) {
      const perRun = runs.map((run) => new Set(run.map((s) => s.payload[field])));
      expect(perRun.map((set) => set.size), field).toEqual([1, 1]);
      expect([...perRun[0]!][0], field).not.toBe([...perRun[1]!][0]);
    }
    expect(new Set(sent.map((s) => s.event_id)).size).toBe(8);
  });
});

describe("simulate --scenario --speed", () => {
  function scenarioFile(name: string, content: unknown): string {
    const path = join(home.home, name);
    writeFileSync(path, JSON.stringify(content));
    return path;
  }

  it("scales the scenario's delays", async () => {
    const file = scenarioFile("slow.json", {
      name: "slow",
      description: "two events two seconds apart",
      steps: [{ event: "account.added" }, { event: "income.added", delay_ms: 2000 }],
    });
    const target = await server();
    const result = await runCli(["simulate", "--scenario", file, "--speed", "10", "--to", target.url, "--secret", SECRET], { env: home.env });
    expectExit(result, 0);
    expect(target.requests.map((r) => envelope(r).event)).toEqual(["account.added", "income.added"]);
    const gap = target.requests[1]!.receivedAt - target.requests[0]!.receivedAt;
    // 2000 ms at --speed 10 is 200 ms, nowhere near 2 s.
    expect(gap).toBeGreaterThanOrEqual(195);
    expect(gap).toBeLessThan(1_500);
  });
});

describe("malformed scenarios are refused before anything is sent (exit 2, one line naming step and field)", () => {
  let target: RecordingServer;
  beforeAll(async () => {
    target = await startRecordingServer();
  });
  afterAll(() => target.close());

  async function refused(content: unknown, fileName: string): Promise<string> {
    const path = join(home.home, fileName);
    writeFileSync(path, typeof content === "string" ? content : JSON.stringify(content, null, 2));
    const result = await runCli(["simulate", "--scenario", path, "--speed", "1000", "--to", target.url, "--secret", SECRET], { env: home.env });
    expectExit(result, 2);
    expect(target.requests).toHaveLength(0);
    expect(result.stdout).toBe("");
    const errors = result.stderr.split("\n").filter((line) => line.startsWith("error:"));
    expect(errors, result.stderr).toHaveLength(1);
    expect(result.stderr).not.toMatch(/^\s+at /m);
    return errors[0]!;
  }

  const base = { name: "bad", description: "a malformed scenario" };

  it("a field of the wrong type", async () => {
    const line = await refused({ ...base, steps: [{ event: "account.added" }, { event: "income.added", duplicate: "twice" }] }, "wrong-type.json");
    expect(line).toMatch(/step 2 \(income\.added\): field "duplicate": .*number/);
    expect(line).toContain("wrong-type.json");
  });

  it("an unknown field", async () => {
    const line = await refused({ ...base, steps: [{ event: "account.added", delay: 10 }] }, "unknown-field.json");
    expect(line).toMatch(/step 1 \(account\.added\): unknown field\(s\) "delay"/);
  });

  it("an unknown event, with did-you-mean", async () => {
    const line = await refused({ ...base, steps: [{ event: "account.added" }, { event: "income.addded" }] }, "unknown-event.json");
    expect(line).toMatch(/step 2 \(income\.addded\): unknown event "income\.addded"; did you mean "income\.added"/);
  });

  it("a bad label reference", async () => {
    const line = await refused({ ...base, steps: [{ label: "login", event: "account.added" }, { resend: "logn" }] }, "bad-label.json");
    expect(line).toMatch(/step 2 \(resend logn\): no earlier step is labelled "logn"/);
  });

  it("an override of a field the event does not have", async () => {
    const line = await refused({ ...base, steps: [{ event: "account.added" }, { event: "paystubs.added", set: { "payload.params.cnt": 1 } }] }, "bad-set.json");
    expect(line).toMatch(/step 2 \(paystubs\.added\).*payload\.params\.cnt/);
    expect(line).toContain("payload.params.count");
  });

  it("a file that is not JSON", async () => {
    const line = await refused('{"name": "bad", "steps": [', "not-json.json");
    expect(line).toMatch(/not valid JSON/);
  });

  it("an unknown built-in name suggests the nearest", async () => {
    const result = await runCli(["simulate", "--scenario", "at-least-onse", "--to", target.url], { env: home.env });
    expectExit(result, 2);
    expect(expectOneLineError(result.stderr)).toMatch(/did you mean "at-least-once"/);
  });

  it("--scenario with an event name, or with --duplicate, is a usage error", async () => {
    const withEvent = await runCli(["simulate", "income.added", "--scenario", "paystubs-sync", "--to", target.url], { env: home.env });
    expectExit(withEvent, 2);
    expect(expectOneLineError(withEvent.stderr)).toMatch(/either an event name or --scenario/);
    const withDuplicate = await runCli(["simulate", "--scenario", "paystubs-sync", "--duplicate", "--to", target.url], { env: home.env });
    expectExit(withDuplicate, 2);
    expect(expectOneLineError(withDuplicate.stderr)).toMatch(/--duplicate/);
    expect(target.requests).toHaveLength(0);
  });
});

describe("the expectations cover every built-in scenario", () => {
  it("lists each one", async () => {
    const result = await runCli(["scenarios", "list", "--json"], { env: home.env });
    expectExit(result, 0);
    const names = (JSON.parse(result.stdout) as { name: string }[]).map((s) => s.name).sort();
    expect(names).toEqual([...BUILT_IN_SCENARIOS].sort());
  });
});
