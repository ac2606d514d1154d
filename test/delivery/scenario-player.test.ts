/**
 * playScenario with an injected send (records each delivery and answers at once or when told)
 * and an injected sleep (records the waits, never waits): ordering, threading, bodies.
 */
import { describe, expect, it } from "vitest";
import type { DeliveryReport, NumberedAttempt } from "../../src/delivery/deliver.js";
import { playScenario, resolveTemplates, type ScenarioDelivery } from "../../src/delivery/scenario-player.js";
import { wordError } from "../../src/cli/word-error.js";
import { ScenarioError } from "../../src/events/scenario-error.js";
import { loadScenario, parseScenario, type Scenario } from "../../src/events/scenario.js";
import {
  BUILT_IN_SCENARIOS,
  daysAgo,
  daysBetween,
  EXPECTED_DELIVERIES,
  type BuiltInScenario,
} from "../helpers/scenario-expectations.js";

const NOW = Date.UTC(2026, 10, 23, 12, 0, 0);

function okReport(): DeliveryReport {
  const attempt: NumberedAttempt = { url: "http://127.0.0.1/", startedAt: new Date(NOW).toISOString(), durationMs: 1, statusCode: 200, attempt: 1, ok: true };
  return { ok: true, attempts: [attempt], final: attempt };
}

interface Recorder {
  deliveries: ScenarioDelivery[];
  waits: number[];
  send(delivery: ScenarioDelivery): Promise<DeliveryReport>;
  sleep(ms: number): Promise<void>;
}

function recorder(): Recorder {
  const deliveries: ScenarioDelivery[] = [];
  const waits: number[] = [];
  return {
    deliveries,
    waits,
    async send(delivery) {
      deliveries.push(delivery);
      return okReport();
    },
    async sleep(ms) {
      waits.push(ms);
    },
  };
}

function scenario(steps: unknown[]): Scenario {
  return parseScenario({ name: "test", description: "a test scenario", steps }, "test");
}

function json(delivery: ScenarioDelivery): { event: string; event_id: string; payload: Record<string, unknown> } {
  return JSON.parse(delivery.body.toString("utf8"));
}

describe("resolveTemplates", () => {
  it("turns {{today}} and {{today-Nd}} into UTC dates relative to now", () => {
    expect(resolveTemplates("{{today}}", NOW)).toBe("2026-11-23");
    expect(resolveTemplates("{{today-2d}}", NOW)).toBe("2026-11-21");
    expect(resolveTemplates("{{today-30d}}", NOW)).toBe("2026-10-24");
    expect(resolveTemplates("{{today-732d}}", NOW)).toBe("2024-11-21");
    expect(resolveTemplates("from {{today-9d}} to {{today-2d}}", NOW)).toBe("from 2026-11-14 to 2026-11-21");
  });

  it("walks arrays and objects and leaves everything else alone", () => {
    const input = { a: ["{{today}}", 3, null, true], b: { c: "{{today-1d}}", d: "plain" }, e: 1.5 };
    expect(resolveTemplates(input, NOW)).toEqual({ a: ["2026-11-23", 3, null, true], b: { c: "2026-11-22", d: "plain" }, e: 1.5 });
    expect(input.a[0]).toBe("{{today}}"); // not modified in place
    expect(resolveTemplates(7, NOW)).toBe(7);
    expect(resolveTemplates(null, NOW)).toBe(null);
  });

  it("leaves text that is not a known template as it is", () => {
    expect(resolveTemplates("{{tomorrow}} {today} {{today+1d}}", NOW)).toBe("{{tomorrow}} {today} {{today+1d}}");
  });
});

describe("playScenario with each built-in scenario", () => {
  for (const name of BUILT_IN_SCENARIOS) {
    it(`${name}: delivers the expected sequence, with waits scaled by speed and no real waiting`, async () => {
      const loaded = loadScenario(name);
      const rec = recorder();
      const results = await playScenario(loaded, { send: rec.send, sleep: rec.sleep, now: () => NOW, speed: 4 });
      const expected = EXPECTED_DELIVERIES[name as BuiltInScenario];
      expect(rec.deliveries.map((d) => [d.step, d.event, d.kind, d.outOfOrder])).toEqual(
        expected.map((e) => [e.step, e.event, e.kind, e.outOfOrder ?? false]),
      );
      expect(results.map((r) => r.report.ok)).toEqual(expected.map(() => true));
      // Each delivery's body is its envelope; event and event_id in the result match it.
      for (const delivery of rec.deliveries) {
        expect(json(delivery)).toMatchObject({ event: delivery.event, event_id: delivery.eventId });
      }
      // Tagged deliveries repeat the same bytes and event_id; every other delivery is a new event.
      const tagged = new Map<string, ScenarioDelivery>();
      expected.forEach((e, i) => e.tag && tagged.set(e.tag, rec.deliveries[i]!));
      expected.forEach((e, i) => {
        const delivery = rec.deliveries[i]!;
        if (e.sameAs) {
          const original = tagged.get(e.sameAs)!;
          expect(delivery.eventId).toBe(original.eventId);
          expect(delivery.body.equals(original.body)).toBe(true);
        }
      });
      const firstDeliveries = rec.deliveries.filter((_, i) => !expected[i]!.sameAs);
      expect(new Set(firstDeliveries.map((d) => d.eventId)).size).toBe(firstDeliveries.length);
      // Every delay_ms became a sleep of delay_ms / speed.
      const delays = loaded.steps.map((step) => step.delay_ms ?? 0).filter((ms) => ms > 0);
      expect([...rec.waits].sort((a, b) => a - b)).toEqual(delays.map((ms) => ms / 4).sort((a, b) => a - b));
    });
  }

  it("threads one account, end user and link token through every event that has the field", async () => {
    const rec = recorder();
    const ids = { accountId: "acct-threaded", endUserId: "user-threaded", linkTokenId: "link-threaded" };
    await playScenario(loadScenario("time-and-attendance"), { send: rec.send, sleep: rec.sleep, now: () => NOW, ids });
    let withLinkToken = 0;
    for (const delivery of rec.deliveries) {
      const { payload } = json(delivery);
      expect(payload.account_id, delivery.event).toBe("acct-threaded");
      expect(payload.end_user_id, delivery.event).toBe("user-threaded");
      if ("link_token_id" in payload) {
        withLinkToken++;
        expect(payload.link_token_id, delivery.event).toBe("link-threaded");
      }
    }
    expect(withLinkToken).toBeGreaterThan(5);
  });

  it("makes up fresh ids when none are given, the same for every step", async () => {
    const runs = [recorder(), recorder()];
    for (const rec of runs) await playScenario(loadScenario("paystubs-sync"), { send: rec.send, sleep: rec.sleep, now: () => NOW });
    const accounts = runs.map((rec) => new Set(rec.deliveries.map((d) => json(d).payload.account_id)));
    expect(accounts.map((set) => set.size)).toEqual([1, 1]);
    expect([...accounts[0]!][0]).not.toBe([...accounts[1]!][0]);
  });

  it("paystubs-sync: recent, consistent pay dates and a count that grows across the sync events", async () => {
    const rec = recorder();
    await playScenario(loadScenario("paystubs-sync"), { send: rec.send, sleep: rec.sleep, now: () => NOW });
    const params = rec.deliveries.map((d) => json(d).payload.params as Record<string, unknown> | undefined);
    const syncs = rec.deliveries
      .map((d, i) => ({ event: d.event, params: params[i]! }))
      .filter((d) => /_synced$/.test(d.event));
    expect(syncs.map((s) => s.event)).toEqual([
      "paystubs.seven_days_synced",
      "paystubs.thirty_days_synced",
      "paystubs.ninety_days_synced",
      "paystubs.fully_synced",
    ]);
    const counts = syncs.map((s) => s.params.count as number);
    for (let i = 1; i < counts.length; i++) expect(counts[i]).toBeGreaterThan(counts[i - 1]!);
    for (const { event, params: p } of syncs) {
      expect(p.to_pay_date, event).toBe(daysAgo(NOW, 2));
      expect(daysBetween(p.from_pay_date as string, p.to_pay_date as string), event).toBeGreaterThan(0);
    }
    expect(syncs.slice(0, 3).map((s) => daysBetween(s.params.from_pay_date as string, s.params.to_pay_date as string))).toEqual([7, 30, 90]);
    // The final paystubs.added is complete and covers everything the fully-synced event did.
    expect(params[6]).toMatchObject({ sync_status: "complete", count: counts[3], from_pay_date: syncs[3]!.params.from_pay_date });
    expect(params[1]).toMatchObject({ sync_status: "in_progress" });
  });

  it("pending-then-success: the result is the same job (payload.id) under a new event_id", async () => {
    const rec = recorder();
    await playScenario(loadScenario("pending-then-success"), { send: rec.send, sleep: rec.sleep, now: () => NOW });
    const [pending, result] = rec.deliveries.filter((d) => d.event === "income.added").map(json);
    expect(pending!.payload).toMatchObject({ outcome: "pending" });
    expect(result!.payload).toMatchObject({ outcome: "success", id: pending!.payload.id });
    expect(result!.event_id).not.toBe(pending!.event_id);
    expect(result!.payload).not.toHaveProperty("error_code");
    // The job between them is a different job.
    const employment = json(rec.deliveries[2]!);
    expect(employment.payload.id).not.toBe(pending!.payload.id);
  });
});

describe("playScenario dates", () => {
  it("dates each event when its step is due at this speed, so a job's result is later than its pending event", async () => {
    const rec = recorder();
    await playScenario(loadScenario("pending-then-success"), { send: rec.send, sleep: rec.sleep, now: () => NOW, speed: 2 });
    const incomes = rec.deliveries.map(json).filter((e) => e.event === "income.added");
    expect(incomes.map((e) => e.payload.outcome)).toEqual(["pending", "success"]);
    const [pending, success] = incomes.map((e) => Date.parse(String(e.payload.timestamp)));
    // Delays 1000, 300 and 3000 ms at speed 2: due 500 ms and 2,150 ms after the start.
    expect(pending).toBe(NOW + 500);
    expect(success).toBe(NOW + 2150);
  });
});

describe("playScenario ordering", () => {
  it("waits for each answer before the next delivery unless a step is concurrent", async () => {
    const log: string[] = [];
    const answers = new Map<string, () => void>();
    const plan = scenario([
      { label: "a", event: "account.added" },
      { event: "employment.added", concurrent: true },
      { event: "identity.added" },
      { event: "income.added" },
    ]);
    const playing = playScenario(plan, {
      sleep: async () => {},
      send: (delivery) => {
        log.push(`send ${delivery.event}`);
        return new Promise((resolve) => answers.set(delivery.event, () => (log.push(`answer ${delivery.event}`), resolve(okReport()))));
      },
    });
    const settle = async () => {
      for (let i = 0; i < 5; i++) await new Promise((resolve) => setImmediate(resolve));
    };
    await settle();
    expect(log).toEqual(["send account.added"]);
    answers.get("account.added")!();
    await settle();
    // employment.added is concurrent: identity.added goes out before it is answered.
    expect(log).toEqual(["send account.added", "answer account.added", "send employment.added", "send identity.added"]);
    answers.get("identity.added")!();
    await settle();
    expect(log.at(-1)).toBe("send income.added");
    answers.get("income.added")!();
    await settle();
    let done = false;
    void playing.then(() => (done = true));
    await settle();
    expect(done, "playScenario must wait for the concurrent delivery too").toBe(false);
    answers.get("employment.added")!();
    const results = await playing;
    expect(results.map((r) => r.event)).toEqual(["account.added", "identity.added", "income.added", "employment.added"]);
  });

  it("sends a step's duplicates right after it, and a resend byte for byte", async () => {
    const rec = recorder();
    await playScenario(
      scenario([
        { label: "first", event: "paystubs.fully_synced", duplicate: 2 },
        { event: "account.added" },
        { resend: "first" },
      ]),
      { send: rec.send, sleep: rec.sleep },
    );
    expect(rec.deliveries.map((d) => [d.step, d.kind])).toEqual([
      [1, "event"],
      [1, "duplicate"],
      [1, "duplicate"],
      [2, "event"],
      [3, "resend"],
    ]);
    const first = rec.deliveries[0]!;
    for (const index of [1, 2, 4]) {
      expect(rec.deliveries[index]!.eventId).toBe(first.eventId);
      expect(rec.deliveries[index]!.body.equals(first.body)).toBe(true);
    }
  });

  it("delivers a deliver_after step right after its label, marked out of order", async () => {
    const rec = recorder();
    await playScenario(
      scenario([
        { event: "account.added" },
        { label: "late", event: "employment.added", deliver_after: "after-me" },
        { event: "identity.added" },
        { label: "after-me", event: "income.added" },
        { event: "shifts.added" },
      ]),
      { send: rec.send, sleep: rec.sleep },
    );
    expect(rec.deliveries.map((d) => [d.step, d.event, d.outOfOrder])).toEqual([
      [1, "account.added", false],
      [3, "identity.added", false],
      [4, "income.added", false],
      [2, "employment.added", true],
      [5, "shifts.added", false],
    ]);
  });

  it("marks a deliver_after pointing up the file out of order when it overtakes the steps between, not when it does not", async () => {
    const rec = recorder();
    await playScenario(
      scenario([
        { label: "anchor", event: "account.added" },
        { event: "identity.added" },
        { event: "employment.added", deliver_after: "anchor" },
        { label: "next", event: "income.added" },
        { event: "shifts.added", deliver_after: "next" },
      ]),
      { send: rec.send, sleep: rec.sleep },
    );
    expect(rec.deliveries.map((d) => [d.step, d.event, d.outOfOrder])).toEqual([
      [1, "account.added", false],
      [3, "employment.added", true],
      [2, "identity.added", false],
      [4, "income.added", false],
      [5, "shifts.added", false],
    ]);
  });

  it("delivers every step of a deliver_after chain (a deferred step that others wait for)", async () => {
    const rec = recorder();
    await playScenario(
      scenario([
        { label: "b", event: "employment.added", deliver_after: "c" },
        { label: "c", event: "identity.added" },
        { event: "income.added", deliver_after: "b" },
      ]),
      { send: rec.send, sleep: rec.sleep },
    );
    // identity.added, then employment.added (deferred after it), then income.added (deferred after that).
    expect(rec.deliveries.map((d) => d.event)).toEqual(["identity.added", "employment.added", "income.added"]);
  });

  it("never drops a step silently: a step deferred after itself is refused or delivered", async () => {
    const rec = recorder();
    const steps = [{ event: "account.added" }, { label: "loop", event: "income.added", deliver_after: "loop" }];
    let plan: Scenario;
    try {
      plan = scenario(steps);
    } catch (error) {
      expect(error, String(error)).toBeInstanceOf(ScenarioError);
      expect(wordError(error)?.exitCode).toBe(2);
      return;
    }
    await playScenario(plan, { send: rec.send, sleep: rec.sleep });
    expect(rec.deliveries.map((d) => d.event)).toEqual(["account.added", "income.added"]);
  });

  it("sleeps delay_ms / speed before a step, including a deferred one", async () => {
    const rec = recorder();
    await playScenario(
      scenario([
        { label: "x", event: "account.added", delay_ms: 1000 },
        { event: "employment.added", delay_ms: 300, deliver_after: "x" },
        { event: "identity.added" },
      ]),
      { send: rec.send, sleep: rec.sleep, speed: 100 },
    );
    expect(rec.waits).toEqual([10, 3]);
  });

  it("builds every event before sending anything, so a bad step fails the whole run first", async () => {
    const rec = recorder();
    const plan = scenario([{ event: "account.added" }, { event: "paystubs.added", set: { "payload.params.cnt": 3 } }]);
    const error = await playScenario(plan, { send: rec.send, sleep: rec.sleep }).catch((e: unknown) => e);
    // The step's own field, dotted as the placeholder errors name it, with the override's data kept as the cause.
    expect(error).toBeInstanceOf(ScenarioError);
    expect(error).toMatchObject({ kind: "invalid", step: { number: 2, sends: "paystubs.added" }, field: "set.payload.params.cnt" });
    expect((error as ScenarioError).cause).toMatchObject({ op: "set", reason: "no_such_field", path: "payload.params.cnt", nearest: ["payload.params.count"] });
    expect(wordError(error)?.exitCode).toBe(2);
    expect((error as Error).message).toMatch(/step 2 \(paystubs\.added\): field "set\.payload\.params\.cnt": paystubs\.added has no such field/);
    expect((error as Error).message).toContain('(use "add" for a new field)');
    expect((error as Error).message).toContain("payload.params.count");
    expect((error as Error).message).not.toContain("--");
    const outcome = await playScenario(scenario([{ event: "account.added", outcome: "error" }]), { send: rec.send, sleep: rec.sleep }).catch((e: unknown) => e);
    expect((outcome as Error).message).toMatch(/step 1 \(account\.added\): field "outcome": account\.added is not a job event/);
    expect(rec.deliveries).toHaveLength(0);
  });

  it("applies set, add and unset with templates resolved at start", async () => {
    const rec = recorder();
    await playScenario(
      scenario([
        {
          event: "paystubs.added",
          set: { "payload.params.to_pay_date": "{{today-1d}}" },
          add: { "payload.params.note": "{{today}}" },
          unset: ["payload.deleted"],
        },
      ]),
      { send: rec.send, sleep: rec.sleep, now: () => NOW },
    );
    const { payload } = json(rec.deliveries[0]!);
    expect(payload.params).toMatchObject({ to_pay_date: "2026-11-22", note: "2026-11-23" });
    expect(payload).not.toHaveProperty("deleted");
  });
});
