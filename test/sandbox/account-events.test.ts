/**
 * simulate --sandbox's data: a sandbox account's own events (as connectEvents builds them, from a
 * generated account) put into simulated single events (sequenceBuilder) and scenario steps
 * (playScenario), in process: which event takes which, what stays simulate's, what overrides win.
 */
import { describe, expect, it } from "vitest";
import { accountData, accountEventData, eventsWithoutAccountData, sandboxOutcomes } from "../../src/sandbox/account-events.js";
import type { DeliveryReport } from "../../src/delivery/deliver.js";
import { sequenceBuilder, simulatedEvents, type SandboxIds } from "../../src/delivery/event-sequence.js";
import { playScenario, type ScenarioDelivery } from "../../src/delivery/scenario-player.js";
import type { WebhookEnvelope } from "../../src/events/fixtures.js";
import { parseScenario } from "../../src/events/scenario.js";
import { generateAccount } from "../../src/sandbox/generate.js";
import { DEFAULT_PLATFORM, dataJobsOf } from "../../src/sandbox/platforms.js";
import { connectEvents } from "../../src/sandbox/sequence.js";

const NOW = Date.UTC(2026, 10, 23, 12, 0, 0);

function account(outcomes: Parameters<typeof connectEvents>[1]["outcomes"] = {}) {
  const data = generateAccount({ seed: 42, now: NOW, platform: DEFAULT_PLATFORM, jobs: dataJobsOf(DEFAULT_PLATFORM) });
  const events = connectEvents(data, { now: NOW, platform: DEFAULT_PLATFORM, outcomes });
  const ids: SandboxIds = {
    accountId: data.account.id,
    endUserId: data.account.end_user_id,
    linkTokenId: data.account.link_token_id,
    platform: { id: DEFAULT_PLATFORM.id, name: DEFAULT_PLATFORM.name },
    accountData: accountEventData(events),
  };
  return { data, events, ids };
}

const of = (events: WebhookEnvelope[], name: string) => events.filter((event) => event.event === name);
const body = (delivery: { body: Buffer }) => JSON.parse(delivery.body.toString("utf8")) as WebhookEnvelope;

describe("accountData", () => {
  it("takes the nth event of a name and outcome, the last one past the end, and leaves out the job's fields", () => {
    const { events } = account();
    const batches = of(events, "paystubs.added");
    expect(batches.length).toBeGreaterThan(2);
    expect(accountData(events, "paystubs.added", "success", 1)).toEqual({ added: batches[1]!.payload.added, deleted: [], params: batches[1]!.payload.params });
    expect(accountData(events, "paystubs.added", "success", 99)?.params).toEqual(batches.at(-1)!.payload.params);
    expect(accountData(events, "paystubs.added", "error", 0)).toBeUndefined();
    expect(accountData(events, "income.added", "success", 0)).toBeUndefined();
    expect(Object.keys(accountData(events, "account.added", undefined, 0)!).sort()).toEqual(["connected", "created_at", "monitoring_status", "platform_id", "platform_name"]);
  });

  it("names the data events the account has none of, once each; events that carry no data are never named", () => {
    const { events } = account();
    const simulated = [
      { event: "paystubs.added", outcome: "error" },
      { event: "paystubs.added", outcome: "error" },
      { event: "shifts.added", outcome: "success" },
      { event: "income.added", outcome: "error" },
      { event: "direct_deposit_switch.added", outcome: "success" },
    ];
    expect(eventsWithoutAccountData(events, simulated)).toEqual(["paystubs.added"]);
  });

  it("connects a job simulated only in error (or pending) with that outcome; one also simulated successful keeps its data", () => {
    expect(sandboxOutcomes([{ event: "paystubs.added", outcome: "error" }, { event: "account.added", outcome: undefined }])).toEqual({ paystubs: "error" });
    expect(sandboxOutcomes([{ event: "income.added", outcome: "pending" }, { event: "income.added", outcome: "success" }])).toEqual({ income: "pending" });
    expect(sandboxOutcomes([{ event: "shifts.added", outcome: "error" }, { event: "shifts.fully_synced", outcome: "success" }])).toEqual({});
    expect(sandboxOutcomes([{ event: "paystubs.documents.added", outcome: "error" }])).toEqual({});
  });
});

describe("sequenceBuilder with a sandbox account", () => {
  it("paystubs.added carries the account's first batch; the job id, timestamp and event_id stay simulate's", () => {
    const { events, ids } = account();
    const first = of(events, "paystubs.added")[0]!;
    const [delivery] = sequenceBuilder("paystubs.added", { apiVersion: undefined }, undefined, ids)(0);
    const sent = body(delivery!);
    expect(sent.payload).toMatchObject({ account_id: ids.accountId, added: first.payload.added, deleted: [], params: first.payload.params, outcome: "success" });
    expect(sent.payload.id).not.toBe(first.payload.id);
    expect(sent.event_id).not.toBe(first.event_id);
  });

  it("--set, --unset and --add still have the last word", () => {
    const { ids } = account();
    const [delivery] = sequenceBuilder("shifts.added", { set: ["payload.params.count=999"], unset: ["payload.deleted"], add: ["payload.params.extra=1"] }, undefined, ids)(0);
    const sent = body(delivery!);
    expect(sent.payload.params).toMatchObject({ count: 999, extra: 1 });
    expect(sent.payload).not.toHaveProperty("deleted");
    expect((sent.payload.added as unknown[]).length).toBeGreaterThan(0);
  });

  it("--pending sends the account's pending event, then its first batch under the same job id", () => {
    const { events, ids } = account({ paystubs: "pending" });
    const options = { pending: true };
    expect(simulatedEvents("paystubs.added", options)).toEqual([
      { event: "paystubs.added", outcome: "pending" },
      { event: "paystubs.added", outcome: "success" },
    ]);
    const [pending, settled] = sequenceBuilder("paystubs.added", options, undefined, ids)(0).map(body);
    expect(pending!.payload).toMatchObject({ outcome: "pending", added: [], params: { count: 0, sync_status: "in_progress" } });
    expect(settled!.payload).toMatchObject({ outcome: "success", added: of(events, "paystubs.added").find((event) => event.payload.outcome === "success")!.payload.added });
    expect(settled!.payload.id).toBe(pending!.payload.id);
  });

  it("an event whose account event is missing keeps the fixture's values", () => {
    const { ids } = account();
    const plain = body(sequenceBuilder("paystubs.added", { outcome: "error" }, undefined)(0)[0]!);
    const sandboxed = body(sequenceBuilder("paystubs.added", { outcome: "error" }, undefined, ids)(0)[0]!);
    expect(sandboxed.payload.added).toEqual(plain.payload.added);
    expect(sandboxed.payload.params).toEqual(plain.payload.params);
  });
});

describe("playScenario with a sandbox account's events", () => {
  it("the nth step of an event takes the account's nth such event (the last past the end), over the step's own values", async () => {
    const { events, ids } = account();
    const scenario = parseScenario(
      {
        name: "t",
        description: "t",
        steps: [
          { event: "paystubs.added", set: { "payload.params.count": 3 } },
          { event: "paystubs.fully_synced" },
          { event: "paystubs.added", add: { "payload.params.note": "kept" } },
          ...Array.from({ length: 6 }, () => ({ event: "paystubs.added" })),
          { event: "shifts.added", unset: ["payload.deleted"] },
        ],
      },
      "t",
    );
    const sent: ScenarioDelivery[] = [];
    const ok = { ok: true, attempts: [], final: undefined } as unknown as DeliveryReport;
    await playScenario(scenario, { ids, accountData: ids.accountData, now: () => NOW, sleep: async () => {}, send: async (delivery) => (sent.push(delivery), ok) });
    const payloads = sent.map((delivery) => body(delivery).payload);
    const batches = of(events, "paystubs.added");
    expect(payloads[0]).toMatchObject({ added: batches[0]!.payload.added, params: batches[0]!.payload.params });
    expect(payloads[1]!.params).toEqual(of(events, "paystubs.fully_synced")[0]!.payload.params);
    expect(payloads[2]).toMatchObject({ added: batches[1]!.payload.added, params: { ...(batches[1]!.payload.params as object), note: "kept" } });
    expect(payloads[8]!.added).toEqual(batches.at(-1)!.payload.added);
    expect(payloads[9]).not.toHaveProperty("deleted");
    expect(payloads[9]!.added).toEqual(of(events, "shifts.added")[0]!.payload.added);
  });
});
