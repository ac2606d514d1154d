import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { describe, it, expect, expectTypeOf } from "vitest";
import { CATALOG, EVENT_NAMES, FAMILY_LABELS, catalogEntry, isEventName } from "../../src/events/catalog.js";
import type { EventName } from "../../src/events/catalog.js";
import { fixturesDir, fixturePath, listFixtureFiles, loadFixture } from "../../src/events/fixtures.js";
import { eventSchemas, MAX_LISTED_ISSUES, payloadSchemas, UNKNOWN_FIELD_MESSAGE, validateWebhookEvent, webhookEventSchema } from "../../src/events/schemas.js";
import type { PinwheelWebhookEvent, SchemaIssue } from "../../src/events/schemas.js";

// Hard-coded from FACTS.md on purpose: an independent list, so a name dropped
// or misspelt in catalog.ts cannot pass by agreeing with itself.
const FACTS_EVENT_NAMES = [
  "account.added",
  "account.additional_connections_recommended",
  "account.monitoring_status.updated",
  "direct_deposit_allocations.added",
  "direct_deposit_switch.added",
  "employment.added",
  "identity.added",
  "income.added",
  "paystubs.added",
  "paystubs.seven_days_synced",
  "paystubs.thirty_days_synced",
  "paystubs.ninety_days_synced",
  "paystubs.fully_synced",
  "shifts.added",
  "shifts.seven_days_synced",
  "shifts.thirty_days_synced",
  "shifts.ninety_days_synced",
  "shifts.fully_synced",
  "verification_reports.refreshed",
  "earnings_stream.payouts.refreshed",
];

// FACTS.md: "Pinwheel's published enabled_events list also names events the docs here do not describe".
const FACTS_UNDOCUMENTED_ENABLED_EVENTS = [
  "paystubs.documents.added",
  "tax_forms.added",
  "documents.added",
  "paycheck_viewer.added",
  "bill.added",
  "bill.updated",
  "bill.removed",
  "bill.reminder",
  "bill_switch.added",
  "bill_switch.cancelled",
  "company_connect.employments.added",
  "company_connect.incomes.added",
  "company_connect.census.added",
  "company_connect.status.updated",
];

function issuesOf(body: unknown): SchemaIssue[] {
  const result = validateWebhookEvent(body);
  return result.ok ? [] : result.issues;
}

function paths(body: unknown): string[] {
  return issuesOf(body).map((issue) => issue.path);
}

describe("catalog", () => {
  it("lists exactly the events in FACTS.md, each once, the enabled_events the docs do not describe included", () => {
    expect(new Set(EVENT_NAMES).size).toBe(EVENT_NAMES.length);
    expect([...EVENT_NAMES].sort()).toEqual([...FACTS_EVENT_NAMES, ...FACTS_UNDOCUMENTED_ENABLED_EVENTS].sort());
    expect(CATALOG.map((entry) => entry.name)).toEqual([...EVENT_NAMES]);
  });

  it("describes every event and labels every family", () => {
    for (const entry of CATALOG) {
      expect(catalogEntry(entry.name)).toBe(entry);
      expect(entry.description.length).toBeGreaterThan(0);
      expect(entry.description).not.toContain("\n");
      expect(FAMILY_LABELS[entry.family]).toBeTruthy();
      expect(entry.source).toMatch(entry.documented || entry.name.startsWith("earnings_stream") ? /^docs\/\d{3}/ : /^FACTS\.md/);
      expect(entry.job).toBe(entry.jobName !== undefined);
    }
    expect(FAMILY_LABELS.income_employment).toBe("Income & employment");
  });

  it("marks as undocumented earnings_stream.payouts.refreshed and the 14 enabled_events without docs, these as job events", () => {
    expect(CATALOG.filter((entry) => !entry.documented).map((entry) => entry.name)).toEqual([
      "earnings_stream.payouts.refreshed",
      ...FACTS_UNDOCUMENTED_ENABLED_EVENTS,
    ]);
    for (const name of FACTS_UNDOCUMENTED_ENABLED_EVENTS) {
      const entry = catalogEntry(name as EventName);
      expect(entry).toMatchObject({ job: true, documented: false });
      expect(loadFixture(name as EventName).payload).toMatchObject({ name: entry.jobName, outcome: "success", account_id: expect.any(String), timestamp: expect.any(String) });
    }
  });

  it("knows event names", () => {
    expect(isEventName("paystubs.fully_synced")).toBe(true);
    expect(isEventName("bill.reminder")).toBe(true);
    expect(isEventName("paystubs.fully_sync")).toBe(false);
  });

  it("does not import zod (it is loaded at CLI start-up)", () => {
    const source = readFileSync(fileURLToPath(new URL("../../src/events/catalog.ts", import.meta.url)), "utf8");
    expect(source).not.toMatch(/from\s+["']zod["']|import\(\s*["']zod["']/);
  });
});

describe("fixtures", () => {
  it("has one fixture per catalog event and no orphans", () => {
    expect(listFixtureFiles()).toEqual([...EVENT_NAMES].sort());
  });

  it("resolves the fixtures directory from the package root", () => {
    expect(fixturePath("account.added").startsWith(fixturesDir().replace(/\/$/, ""))).toBe(true);
    expect(fixturePath("account.added").endsWith("/fixtures/events/account.added.json")).toBe(true);
  });

  it("returns a fresh object on every load", () => {
    const first = loadFixture("paystubs.added");
    first.payload.outcome = "error";
    expect(loadFixture("paystubs.added").payload.outcome).toBe("success");
  });

  it.each([...EVENT_NAMES])("%s: parses with its own schema and with validateWebhookEvent", (name) => {
    const fixture = loadFixture(name);
    expect(fixture.event).toBe(name);
    expect(payloadSchemas[name].safeParse(fixture.payload).error?.issues).toBeUndefined();
    expect(eventSchemas[name].safeParse(fixture).error?.issues).toBeUndefined();
    expect(issuesOf(fixture)).toEqual([]);
    const job = catalogEntry(name).jobName;
    if (job !== undefined) expect(fixture.payload.name).toBe(job);
  });

  it.each([...EVENT_NAMES])("%s: is pretty-printed with 2 spaces and a trailing newline", (name) => {
    const text = readFileSync(fixturePath(name), "utf8");
    expect(text).toBe(`${JSON.stringify(JSON.parse(text), null, 2)}\n`);
  });

  it("uses the docs' newer direct deposit switch structure and the docs/002 list name", () => {
    expect(loadFixture("direct_deposit_switch.added").payload.params).toEqual({
      action: "partial_switch",
      allocation: { type: "amount", value: 5400 },
    });
    const recommended = loadFixture("account.additional_connections_recommended").payload;
    expect(recommended).toHaveProperty("additional_platforms");
    expect(recommended).not.toHaveProperty("additional_connections");
    expect(loadFixture("shifts.fully_synced").payload.name).toBe("shifts");
  });
});

describe("schemas reject what the docs rule out", () => {
  it("a job payload without account_id", () => {
    const body = loadFixture("income.added");
    delete body.payload.account_id;
    expect(paths(body)).toEqual(["payload.account_id"]);
  });

  it('outcome "done"', () => {
    const body = loadFixture("employment.added");
    body.payload.outcome = "done";
    expect(paths(body)).toEqual(["payload.outcome"]);
  });

  it('paystubs.added with params.count "6", reported at a dotted path', () => {
    const body = loadFixture("paystubs.added");
    body.payload.params = { ...(body.payload.params as object), count: "6" };
    expect(paths(body)).toEqual(["payload.params.count"]);
  });

  it("paystubs.added without params, with a bad pay date, or with a negative count", () => {
    const missing = loadFixture("paystubs.added");
    delete missing.payload.params;
    expect(paths(missing)).toEqual(["payload.params"]);

    const badDate = loadFixture("paystubs.fully_synced");
    badDate.payload.params = { ...(badDate.payload.params as object), to_pay_date: "2020-08-14T00:00:00Z" };
    expect(paths(badDate)).toEqual(["payload.params.to_pay_date"]);

    const negative = loadFixture("shifts.fully_synced");
    negative.payload.params = { count: -1 };
    expect(paths(negative)).toEqual(["payload.params.count"]);
  });

  it("a batch of paystubs without its pay-date window", () => {
    const body = loadFixture("paystubs.added");
    const params: Record<string, unknown> = { ...(body.payload.params as Record<string, unknown>), count: 3 };
    delete params.from_pay_date;
    body.payload.params = params;
    expect(issuesOf(body)).toEqual([{ path: "payload.params.from_pay_date", message: "from_pay_date is missing from a batch of 3 paystub(s)" }]);
  });

  it("a job name that does not match the event", () => {
    const body = loadFixture("shifts.fully_synced");
    body.payload.name = "paystubs";
    expect(paths(body)).toEqual(["payload.name"]);
  });

  it("a timestamp without an offset", () => {
    const body = loadFixture("income.added");
    body.payload.timestamp = "2021-01-12T02:36:01.287148";
    expect(paths(body)).toEqual(["payload.timestamp"]);
  });

  it("additional_connections_recommended: either list name passes, neither fails", () => {
    const docs001 = loadFixture("account.additional_connections_recommended");
    docs001.payload.additional_connections = docs001.payload.additional_platforms;
    delete docs001.payload.additional_platforms;
    expect(issuesOf(docs001)).toEqual([]);

    const neither = loadFixture("account.additional_connections_recommended");
    delete neither.payload.additional_platforms;
    expect(paths(neither)).toEqual(["payload.additional_platforms"]);
  });

  it('a "login" recommendation without platform_id, and an unknown action', () => {
    const body = loadFixture("account.additional_connections_recommended");
    body.payload.additional_platforms = [
      { platform_type: "time_and_attendance", action: "login" },
      { platform_type: "time_and_attendance", action: "maybe" },
    ];
    expect(paths(body)).toEqual([
      "payload.additional_platforms.0.platform_id",
      "payload.additional_platforms.1.action",
    ]);
  });

  it("direct_deposit_switch.added: allocation rules; legacy params.amount still passes", () => {
    const noValue = loadFixture("direct_deposit_switch.added");
    noValue.payload.params = { action: "partial_switch", allocation: { type: "percentage" } };
    expect(paths(noValue)).toEqual(["payload.params.allocation.value"]);

    const fullWithAllocation = loadFixture("direct_deposit_switch.added");
    fullWithAllocation.payload.params = { action: "full_switch", allocation: { type: "remainder" } };
    expect(paths(fullWithAllocation)).toEqual(["payload.params.allocation"]);

    const remainder = loadFixture("direct_deposit_switch.added");
    remainder.payload.params = { action: "partial_switch", allocation: { type: "remainder" } };
    expect(issuesOf(remainder)).toEqual([]);

    const legacy = loadFixture("direct_deposit_switch.added");
    legacy.payload.params = { amount: 5400 };
    expect(issuesOf(legacy)).toEqual([]);

    const legacyFloat = loadFixture("direct_deposit_switch.added");
    legacyFloat.payload.params = { amount: 54.5 };
    expect(paths(legacyFloat)).toEqual(["payload.params.amount"]);
  });

  it("an unknown monitoring status or report status", () => {
    const monitoring = loadFixture("account.monitoring_status.updated");
    monitoring.payload.current_monitoring_status = "paused";
    expect(paths(monitoring)).toEqual(["payload.current_monitoring_status"]);

    const report = loadFixture("verification_reports.refreshed");
    report.payload.availability = {
      voe: { status: "ready", updated_at: "2021-01-12T02:36:01+00:00", refreshed_at: "2021-01-12T02:36:01+00:00" },
    };
    expect(paths(report)).toEqual(["payload.availability.voe.status", "payload.availability.voie"]);
  });

  it("an unknown event name, with one issue at path event", () => {
    const body = { ...loadFixture("income.added"), event: "income.updated" };
    const issues = issuesOf(body);
    expect(issues).toHaveLength(1);
    expect(issues[0]?.path).toBe("event");
    expect(issues[0]?.message).toMatch(/not a known Pinwheel event/);

    // Named in enabled_events, undocumented: known, and any object payload passes.
    expect(issuesOf({ ...body, event: "tax_forms.added", payload: { forms: [] } })).toEqual([]);
  });

  it("a body that is not an envelope", () => {
    expect(paths("hello")).toEqual(["(root)"]);
    expect(paths({ payload: {} })).toEqual(expect.arrayContaining(["event", "event_id"]));
    const emptyId = loadFixture("income.added");
    emptyId.event_id = "";
    expect(paths(emptyId)).toEqual(["event_id"]);
  });
});

describe("schemas accept what the docs allow", () => {
  it("docs/003 job sample: error_code null, whole-second timestamp", () => {
    const body = loadFixture("employment.added");
    Object.assign(body.payload, { timestamp: "2021-01-21T20:16:28+00:00", error_code: null });
    expect(issuesOf(body)).toEqual([]);
  });

  it("docs/003 account.added sample without platform_name and monitoring_status", () => {
    const body = loadFixture("account.added");
    delete body.payload.platform_name;
    delete body.payload.monitoring_status;
    expect(issuesOf(body)).toEqual([]);
  });

  it('outcome "error" without error_code or error_type: both "(optional)" in every table', () => {
    const body = loadFixture("identity.added");
    body.payload.outcome = "error";
    expect(issuesOf(body)).toEqual([]);
  });

  it("an errored or pending paystubs job's empty batch, which has no pay-date window", () => {
    for (const [outcome, status] of [["error", "complete"], ["pending", "in_progress"]] as const) {
      const body = loadFixture("paystubs.added");
      body.payload = { ...body.payload, outcome, added: [], deleted: [], params: { count: 0, sync_status: status } };
      expect(issuesOf(body), outcome).toEqual([]);
    }
  });

  it('an event_id that is not a UUID: the docs type it "string"', () => {
    const body = loadFixture("income.added");
    body.event_id = "evt_0001";
    expect(issuesOf(body)).toEqual([]);
  });

  it('verification_reports.refreshed without end_user_id ("if provided")', () => {
    const body = loadFixture("verification_reports.refreshed");
    delete body.payload.end_user_id;
    expect(issuesOf(body)).toEqual([]);
  });

  it("refresh jobs without end_user_id or link_token_id, and a pending outcome", () => {
    const body = loadFixture("direct_deposit_allocations.added");
    delete body.payload.end_user_id;
    body.payload.link_token_id = null;
    body.payload.outcome = "pending";
    expect(issuesOf(body)).toEqual([]);
  });

  it("fields Pinwheel may add later are reported, one issue each, and the schemas keep them (never stripped)", () => {
    const body = { ...loadFixture("paystubs.fully_synced"), delivery_attempt: 2 };
    body.payload.new_field = { nested: true };
    (body.payload.params as Record<string, unknown>).extra = 1;
    expect(issuesOf(body)).toEqual([
      { path: "payload.params.extra", message: UNKNOWN_FIELD_MESSAGE },
      { path: "payload.new_field", message: UNKNOWN_FIELD_MESSAGE },
      { path: "delivery_attempt", message: UNKNOWN_FIELD_MESSAGE },
    ]);
    const parsed = eventSchemas["paystubs.fully_synced"].safeParse(body);
    expect(parsed.success).toBe(true);
    expect(parsed.data).toMatchObject({ delivery_attempt: 2, payload: { new_field: { nested: true } } });
  });

  it("lists the first MAX_LISTED_ISSUES issues and counts the rest in one: a body of 100,000 unknown keys stays small", () => {
    const body = loadFixture("paystubs.fully_synced");
    for (let i = 0; i < 1000; i++) body.payload[`k${i}`] = i;
    const issues = issuesOf(body);
    expect(issues).toHaveLength(MAX_LISTED_ISSUES + 1);
    expect(issues[0]).toEqual({ path: "payload.k0", message: UNKNOWN_FIELD_MESSAGE });
    expect(issues.at(-1)).toEqual({ path: "(root)", message: `${1000 - MAX_LISTED_ISSUES} more issue(s) not listed (the first ${MAX_LISTED_ISSUES} are above)` });
    // zod's own issues count toward the same bound, and come first.
    const wrong = loadFixture("paystubs.added");
    wrong.payload.added = Array.from({ length: 300 }, () => 7);
    wrong.payload.extra = true;
    const mixed = issuesOf(wrong);
    expect(mixed).toHaveLength(MAX_LISTED_ISSUES + 1);
    expect(mixed[0]?.path).toBe("payload.added.0");
    expect(mixed.at(-1)?.message).toBe(`251 more issue(s) not listed (the first ${MAX_LISTED_ISSUES} are above)`);
  });

  it("reports nothing inside what the docs leave open: a job's undocumented params, an undocumented event's payload", () => {
    const income = loadFixture("income.added");
    income.payload.params = { anything: true };
    expect(issuesOf(income)).toEqual([]);
    const bill = { ...loadFixture("bill.added") };
    bill.payload.amount_due = 120;
    expect(issuesOf(bill)).toEqual([]);
  });

  it("earnings_stream.payouts.refreshed accepts any object payload", () => {
    const body = { ...loadFixture("earnings_stream.payouts.refreshed"), payload: { payouts: [] } };
    expect(issuesOf(body)).toEqual([]);
  });
});

// Compiled by `tsc -p tsconfig.json`: the union must narrow on `event`.
function syncedCount(e: PinwheelWebhookEvent): number | undefined {
  if (e.event === "paystubs.fully_synced") return e.payload.params.count;
  if (e.event === "shifts.added") return e.payload.params?.count;
  // @ts-expect-error params is not known on the un-narrowed union
  return e.payload.params.count;
}

describe("types", () => {
  it("narrow on the event name", () => {
    const parsed = webhookEventSchema.parse(loadFixture("paystubs.fully_synced"));
    expect(syncedCount(parsed)).toBe(2);
    if (parsed.event === "paystubs.fully_synced") {
      expectTypeOf(parsed.payload.params.count).toEqualTypeOf<number>();
      expectTypeOf(parsed.payload.outcome).toEqualTypeOf<"success" | "error" | "pending">();
      expectTypeOf(parsed.payload.name).toEqualTypeOf<"paystubs">();
    }
    expectTypeOf<PinwheelWebhookEvent["event"]>().toEqualTypeOf<EventName>();
  });
});
