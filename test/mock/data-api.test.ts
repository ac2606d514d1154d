/**
 * The mock's Core Data API over real HTTP, against a sandbox in a real SQLite file: every
 * endpoint, its checks (401, 404, 400), pagination and date filters, and the agreement between a
 * connected account's events (delivered to a real endpoint) and what the data API answers.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { request } from "undici";
import type { z } from "zod";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { dataResponseSchemas, type DataResponseName } from "../../src/api/data-schemas.js";
import type { ApiErrorBody } from "../../src/api/types.js";
import { startMockServer, type MockServer } from "../../src/mock/server.js";
import { apiKeyFingerprint } from "../../src/registry/api-key.js";
import { createLocalRegistry, type LocalRegistry } from "../../src/registry/local.js";
import { createSandbox, type ConnectResult } from "../../src/sandbox/sandbox.js";
import { PLATFORMS } from "../../src/sandbox/platforms.js";
import { validateWebhookEvent } from "../../src/events/schemas.js";
import { openDatabase, type Db } from "../../src/store/database.js";
import { waitUntil } from "../helpers/wait.js";
import { startWebhookSink, type WebhookSink } from "../helpers/webhook-sink.js";

const SECRET = "sandbox-test-secret-0123456789";
const AUTH = { "x-api-secret": SECRET, "pinwheel-version": "2023-11-22" };
let dir: string;
let db: Db;
let registry: LocalRegistry;
let mock: MockServer;
let sink: WebhookSink;

async function startMock(): Promise<MockServer> {
  db = openDatabase(join(dir, "mock.db"));
  registry = createLocalRegistry({ db, apiKey: apiKeyFingerprint(SECRET) });
  const sandbox = createSandbox({ db, apiKey: apiKeyFingerprint(SECRET), secret: SECRET, registry, timeoutMs: 5_000 });
  return startMockServer({ host: "127.0.0.1", port: 0, secret: SECRET, registry, sandbox: async () => sandbox });
}

beforeEach(async () => {
  dir = mkdtempSync(join(tmpdir(), "pinwheel-data-api-"));
  mock = await startMock();
  sink = await startWebhookSink(SECRET);
});

afterEach(async () => {
  await sink.close();
  await mock.close();
  db.close();
  rmSync(dir, { recursive: true, force: true });
});

type DataResponse<N extends DataResponseName> = z.infer<(typeof dataResponseSchemas)[N]>;

interface Answer<T = unknown> {
  status: number;
  json: T;
  headers: Record<string, string | string[] | undefined>;
}

interface ErrorAnswer {
  error: ApiErrorBody;
}

async function call<T = unknown>(method: string, path: string, body?: unknown, headers: Record<string, string> = AUTH): Promise<Answer<T>> {
  const response = await request(`${mock.url}${path}`, {
    method: method as "GET",
    headers: body === undefined ? headers : { ...headers, "content-type": "application/json" },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  return { status: response.statusCode, json: (await response.body.json()) as T, headers: response.headers };
}

/** GET that must answer 200 with a body the library's schema for that endpoint accepts. */
async function get<N extends DataResponseName>(path: string, schema: N): Promise<DataResponse<N>> {
  const answer = await call<DataResponse<N>>("GET", path);
  expect(answer.status, `${path}: ${JSON.stringify(answer.json)}`).toBe(200);
  const parsed = dataResponseSchemas[schema].safeParse(answer.json);
  expect(parsed.success, `${path}: ${JSON.stringify(parsed.error?.issues)}`).toBe(true);
  return answer.json;
}

/** Every item of a paged list, following next_cursor, with the size of each page. */
async function allPages<N extends "paystubs" | "shifts">(path: string, schema: N): Promise<{ items: DataResponse<N>["data"][number][]; pages: number[] }> {
  const items: DataResponse<N>["data"][number][] = [];
  const pages: number[] = [];
  let cursor: string | null = null;
  do {
    const separator = path.includes("?") ? "&" : "?";
    const page: DataResponse<N> = await get(cursor ? `${path}${separator}cursor=${encodeURIComponent(cursor)}` : path, schema);
    expect(page.meta.count).toBe(page.data.length);
    items.push(...page.data);
    pages.push(page.data.length);
    cursor = page.meta.next_cursor;
  } while (cursor);
  return { items, pages };
}

async function connect(body: Record<string, unknown> = {}) {
  const answer = await call<{ data: ConnectResult }>("POST", "/sandbox/accounts", body);
  expect(answer.status, JSON.stringify(answer.json)).toBe(200);
  return answer.json.data;
}

async function subscribeSink(events: string[]) {
  return registry.create({ url: sink.url, status: "active", enabled_events: events, version: "2023-11-22" });
}

const ALL_EVENTS = [
  "account.added",
  "identity.added",
  "income.added",
  "employment.added",
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
  "account.monitoring_status.updated",
];

describe("checks shared with /v1/webhooks", () => {
  it("refuses a missing or wrong x-api-secret with 401 on every data endpoint", async () => {
    const { account_id } = await connect({ seed: 1, deliver: false });
    const paths = [
      `/v1/accounts/${account_id}`,
      `/v1/accounts/${account_id}/paystubs`,
      `/v1/accounts/${account_id}/shifts`,
      `/v1/accounts/${account_id}/employment`,
      `/v1/accounts/${account_id}/income`,
      `/v1/accounts/${account_id}/identity`,
      `/v1/end_users/u/accounts`,
      `/v1/platforms`,
      `/v1/platforms/${PLATFORMS[0]!.id}`,
      `/v1/search?q=a`,
      `/sandbox/accounts`,
    ];
    for (const path of paths) {
      const missing = await call("GET", path, undefined, {});
      expect(missing, path).toMatchObject({ status: 401, json: { error: { type: "UNAUTHORIZED_REQUEST", code: "missing_api_secret", status_code: 401 } } });
      const wrong = await call<ErrorAnswer>("GET", path, undefined, { "x-api-secret": "not-it" });
      expect(wrong.json.error.code, path).toBe("invalid_api_secret");
    }
    for (const path of ["/v1/link_tokens", `/v1/accounts/${account_id}/disable_monitoring`]) {
      expect((await call("POST", path, {}, { "x-api-secret": "not-it" })).status).toBe(401);
    }
  });

  it("refuses an unknown Pinwheel-Version and echoes a known one with a request id", async () => {
    const refused = await call("GET", "/v1/platforms", undefined, { ...AUTH, "pinwheel-version": "2024-01-01" });
    expect(refused).toMatchObject({ status: 400, json: { error: { code: "invalid_version" } } });
    const answer = await call("GET", "/v1/platforms");
    expect(answer.headers["pinwheel-version"]).toBe("2023-11-22");
    expect(answer.headers["x-pinwheel-request-id"]).toMatch(/^[0-9a-f-]{36}$/);
    expect(refused.headers["pinwheel-version"]).toBeUndefined();
    // A known version is echoed on error answers too: 404, 400 and 401.
    const unknownAccount = await call("GET", "/v1/accounts/00000000-0000-4000-8000-000000000000");
    expect(unknownAccount.status).toBe(404);
    expect(unknownAccount.headers["pinwheel-version"]).toBe("2023-11-22");
    const badLimit = await call("GET", "/v1/end_users/u/accounts?limit=0");
    expect(badLimit.status).toBe(400);
    expect(badLimit.headers["pinwheel-version"]).toBe("2023-11-22");
    const unauthorized = await call("GET", "/v1/platforms", undefined, { "x-api-secret": "wrong", "pinwheel-version": "2025-07-08" });
    expect(unauthorized.status).toBe(401);
    expect(unauthorized.headers["pinwheel-version"]).toBe("2025-07-08");
  });

  it("answers unknown ids with Pinwheel's 404 shape, and jobs that did not run with data_not_available", async () => {
    const unknown = "00000000-0000-4000-8000-000000000000";
    for (const path of [`/v1/accounts/${unknown}`, `/v1/accounts/${unknown}/paystubs`, `/v1/accounts/${unknown}/identity`]) {
      expect(await call("GET", path), path).toMatchObject({
        status: 404,
        json: { error: { type: "RECORD_NOT_FOUND", code: "account_not_found", status_code: 404, message: expect.stringContaining(unknown) } },
      });
    }
    expect((await call<ErrorAnswer>("POST", `/v1/accounts/${unknown}/disable_monitoring`)).json.error.code).toBe("account_not_found");
    expect(await call("GET", `/v1/platforms/${unknown}`)).toMatchObject({ status: 404, json: { error: { code: "platform_not_found" } } });
    const { account_id } = await connect({ seed: 2, jobs: ["paystubs"], deliver: false });
    expect(await call("GET", `/v1/accounts/${account_id}/shifts`)).toMatchObject({ status: 404, json: { error: { code: "data_not_available" } } });
    expect(await call("GET", `/v1/accounts/${account_id}/nothing`)).toMatchObject({ status: 404, json: { error: { code: "route_not_found" } } });
    expect(await call("PUT", `/v1/accounts/${account_id}`)).toMatchObject({ status: 405 });
  });

  it("says which field is wrong: dates, limits, cursors, platform type, unknown platform or job", async () => {
    const { account_id } = await connect({ seed: 3, deliver: false });
    const bad = async (path: string, field: string) => {
      const answer = await call("GET", path);
      expect(answer, path).toMatchObject({ status: 400, json: { error: { type: "INVALID_REQUEST_PARAMETERS", fields: [{ name: field }] } } });
    };
    await bad(`/v1/accounts/${account_id}/paystubs?from_pay_date=2025-13-01`, "from_pay_date");
    await bad(`/v1/accounts/${account_id}/paystubs?to_pay_date=yesterday`, "to_pay_date");
    await bad(`/v1/accounts/${account_id}/paystubs?from_pay_date=2025-02-01&to_pay_date=2025-01-01`, "from_pay_date");
    await bad(`/v1/accounts/${account_id}/shifts?limit=0`, "limit");
    await bad(`/v1/accounts/${account_id}/shifts?cursor=nope`, "cursor");
    await bad(`/v1/platforms?type=gig`, "type");
    expect((await call<ErrorAnswer>("POST", "/sandbox/accounts", { platform: "Nowhere" })).json.error.fields?.[0]).toMatchObject({ name: "platform" });
    expect((await call<ErrorAnswer>("POST", "/sandbox/accounts", { platform: "Deputy", jobs: ["paystubs"] })).json.error.fields?.[0]?.message).toMatch(/Deputy does not support/);
    expect((await call<ErrorAnswer>("POST", "/v1/link_tokens", {})).json.error.fields?.[0]).toMatchObject({ name: "end_user_id" });
  });
});

describe("a connected account", () => {
  it("delivers its events signed to every subscribed webhook, and every id, count and window agrees with the data API", async () => {
    const webhook = await subscribeSink(ALL_EVENTS);
    const other = await startWebhookSink(SECRET);
    try {
      const second = await registry.create({ url: other.url, status: "active", enabled_events: ["account.added"], version: "2023-11-22" });
      const result = await connect({ seed: 42, end_user_id: "user-42", platform: "Workday" });
      expect(result).toMatchObject({ end_user_id: "user-42", platform_name: "Workday", seed: 42 });
      expect(result.deliveries.every((delivery) => delivery.ok && delivery.status_code === 200)).toBe(true);
      expect(other.received.map((event) => [event.event, event.webhookId])).toEqual([["account.added", second.id]]);

      const events = sink.received;
      expect(events.length).toBe(result.events.length);
      expect(events.map((event) => event.event_id)).toEqual(result.events.map((event) => event.event_id));
      for (const event of events) {
        expect(event.verified, event.event).toBe(true);
        expect(event.webhookId).toBe(webhook.id);
        const body = Object.fromEntries(Object.entries(event).filter(([key]) => key !== "webhookId" && key !== "verified"));
        expect(validateWebhookEvent(body), event.event).toMatchObject({ ok: true });
        expect(event.payload).toMatchObject({ account_id: result.account_id, end_user_id: "user-42" });
        if ("link_token_id" in event.payload) expect(event.payload.link_token_id).toBe(result.link_token_id);
      }

      // §4.9's order: account first, identity and income, the lists, fully_synced, employment last.
      const names = events.map((event) => event.event);
      expect(names[0]).toBe("account.added");
      expect(names.slice(1, 3)).toEqual(["identity.added", "income.added"]);
      expect(names.at(-1)).toBe("employment.added");
      expect(names.indexOf("paystubs.fully_synced")).toBe(names.length - 2);
      expect(names.indexOf("shifts.added")).toBeLessThan(names.lastIndexOf("paystubs.added"));

      // account.added -> the account and its platform.
      const added = events[0]!.payload;
      const account = (await get(`/v1/accounts/${result.account_id}`, "account")).data;
      expect(account).toMatchObject({ id: added.account_id, end_user_id: added.end_user_id, platform_id: added.platform_id, link_token_id: added.link_token_id, created_at: added.created_at });
      const platform = (await get(`/v1/platforms/${added.platform_id}`, "platform")).data;
      expect(platform.name).toBe(added.platform_name);

      // Each paystubs.added batch is exactly what /paystubs returns for its window; the batches together are every paystub.
      const everyPaystub = await allPages(`/v1/accounts/${result.account_id}/paystubs`, "paystubs");
      expect(everyPaystub.items.length).toBe(result.paystubs);
      expect(everyPaystub.pages.length).toBeGreaterThan(1);
      const batches = events.filter((event) => event.event === "paystubs.added");
      let total = 0;
      for (const batch of batches) {
        const params = batch.payload.params as { from_pay_date: string; to_pay_date: string; count: number };
        const added = (batch.payload.added as { id: string }[]).map((item) => item.id);
        expect(params.count).toBe(added.length);
        const window = await allPages(`/v1/accounts/${result.account_id}/paystubs?from_pay_date=${params.from_pay_date}&to_pay_date=${params.to_pay_date}`, "paystubs");
        expect(window.items.map((paystub) => paystub.id).sort()).toEqual([...added].sort());
        expect(window.items.map((paystub) => paystub.pay_date).sort()).toEqual(expect.arrayContaining([params.from_pay_date, params.to_pay_date]));
        total += params.count;
      }
      expect(total).toBe(result.paystubs);
      expect(everyPaystub.items.every((paystub) => paystub.account_id === result.account_id)).toBe(true);

      // fully_synced repeats the last batch's job id, timestamp and params without sync_status (§4.6).
      const last = batches.at(-1)!.payload;
      const fully = events.find((event) => event.event === "paystubs.fully_synced")!.payload;
      const { sync_status, ...lastParams } = last.params as Record<string, unknown>;
      expect(sync_status).toBe("complete");
      expect(fully).toMatchObject({ id: last.id, timestamp: last.timestamp, params: lastParams });
      for (const synced of events.filter((event) => /^paystubs\.\w+_days_synced$/.test(event.event))) {
        const params = synced.payload.params as { from_pay_date: string; to_pay_date: string; count: number };
        const window = await allPages(`/v1/accounts/${result.account_id}/paystubs?from_pay_date=${params.from_pay_date}&to_pay_date=${params.to_pay_date}`, "paystubs");
        expect(window.items.length, synced.event).toBe(params.count);
      }

      // Shifts: the batches together are every shift, 25 to a page.
      const everyShift = await allPages(`/v1/accounts/${result.account_id}/shifts`, "shifts");
      expect(everyShift.pages.slice(0, -1).every((size) => size === 25)).toBe(true);
      expect(everyShift.pages.length).toBeGreaterThanOrEqual(2);
      const shiftIds = events.filter((event) => event.event === "shifts.added").flatMap((event) => (event.payload.added as { id: string }[]).map((item) => item.id));
      expect(shiftIds.sort()).toEqual(everyShift.items.map((shift) => shift.id).sort());
      expect(events.filter((event) => event.event === "shifts.fully_synced")).toHaveLength(1);

      // The single records, each fresh as the account says (§4.8).
      for (const job of ["employment", "income", "identity"] as const) {
        const body = await get(`/v1/accounts/${result.account_id}/${job}`, job);
        expect(body.data.account_id).toBe(result.account_id);
        expect(body.meta.refreshed_at).toBe(account.data_refreshed_at[job]);
      }
      expect(everyPaystub.items[0]!.employer_name).toBe((await get(`/v1/accounts/${result.account_id}/employment`, "employment")).data.employer_name);
    } finally {
      await other.close();
    }
  });

  it("with deliver: false answers the events it did not send, whose ids and windows the data API serves", async () => {
    await subscribeSink(["paystubs.added"]);
    const result = await connect({ seed: 11, deliver: false });
    expect(result.deliveries).toEqual([]);
    expect(sink.received).toEqual([]);
    const envelopes = result.envelopes!;
    expect(envelopes.map((envelope) => ({ event: envelope.event, event_id: envelope.event_id }))).toEqual(result.events);
    const batches = envelopes.filter((envelope) => envelope.event === "paystubs.added");
    expect(batches.length).toBeGreaterThan(1);
    for (const { payload } of batches) {
      const params = payload.params as { from_pay_date: string; to_pay_date: string; count: number };
      const page = await call<{ data: { id: string }[] }>("GET", `/v1/accounts/${result.account_id}/paystubs?from_pay_date=${params.from_pay_date}&to_pay_date=${params.to_pay_date}&limit=100`);
      expect(page.json.data.map((item) => item.id).sort()).toEqual((payload.added as { id: string }[]).map((item) => item.id).sort());
      expect(params.count).toBe(page.json.data.length);
    }
    // Delivered connections do not repeat their events in the answer.
    expect((await connect({ seed: 12 })).envelopes).toBeUndefined();
  });

  it("pages paystubs newest first with inclusive date filters, and a cursor keeps its filter", async () => {
    const { account_id } = await connect({ seed: 7, platform: "ADP", deliver: false });
    const all = await allPages(`/v1/accounts/${account_id}/paystubs?limit=100`, "paystubs");
    const dates = all.items.map((paystub) => paystub.pay_date);
    expect([...dates].sort().reverse()).toEqual(dates);
    const [from, to] = [dates[9]!, dates[2]!];
    const paged = await allPages(`/v1/accounts/${account_id}/paystubs?from_pay_date=${from}&to_pay_date=${to}&limit=3`, "paystubs");
    expect(paged.pages).toEqual([3, 3, 2]);
    expect(paged.items.map((paystub) => paystub.pay_date)).toEqual(dates.slice(2, 10));
    // The cursor alone carries the window on.
    const first = await get(`/v1/accounts/${account_id}/paystubs?from_pay_date=${from}&to_pay_date=${to}&limit=3`, "paystubs");
    const next = await get(`/v1/accounts/${account_id}/paystubs?limit=3&cursor=${first.meta.next_cursor}`, "paystubs");
    expect(next.data.map((paystub) => paystub.pay_date)).toEqual(dates.slice(5, 8));
    // Repeating the window with the cursor is fine; another window is refused, not silently mixed with the cursor's.
    const repeated = await get(`/v1/accounts/${account_id}/paystubs?from_pay_date=${from}&to_pay_date=${to}&limit=3&cursor=${first.meta.next_cursor}`, "paystubs");
    expect(repeated.data).toEqual(next.data);
    const conflicting = await call<ErrorAnswer>("GET", `/v1/accounts/${account_id}/paystubs?from_pay_date=${dates[20]!}&limit=3&cursor=${first.meta.next_cursor}`);
    expect(conflicting).toMatchObject({ status: 400, json: { error: { type: "INVALID_REQUEST_PARAMETERS", status_code: 400, fields: [{ name: "from_pay_date" }] } } });
    // A paystubs cursor is no shifts cursor, nor another account's.
    const workday = await connect({ seed: 7, deliver: false });
    const paystubCursor = (await get(`/v1/accounts/${workday.account_id}/paystubs?limit=1`, "paystubs")).meta.next_cursor;
    const shifts = await call<ErrorAnswer>("GET", `/v1/accounts/${workday.account_id}/shifts?cursor=${paystubCursor}`);
    expect(shifts).toMatchObject({ status: 400, json: { error: { type: "INVALID_REQUEST_PARAMETERS", status_code: 400, fields: [{ name: "cursor" }] } } });
    const other = await connect({ seed: 7, platform: "ADP", end_user_id: "someone_else", deliver: false });
    expect((await call("GET", `/v1/accounts/${other.account_id}/paystubs?limit=3&cursor=${first.meta.next_cursor}`)).status).toBe(400);
    const empty = await get(`/v1/accounts/${account_id}/paystubs?from_pay_date=1990-01-01&to_pay_date=1990-12-31`, "paystubs");
    expect(empty).toMatchObject({ data: [], meta: { count: 0, next_cursor: null } });
  });

  it("lists an end user's accounts, platforms by type, search results, and makes Link tokens an account can come from", async () => {
    const token = await call<DataResponse<"linkToken">>("POST", "/v1/link_tokens", { end_user_id: "tok-user", platform_id: PLATFORMS[5]!.id, org_name: "Acme" });
    expect(dataResponseSchemas.linkToken.safeParse(token.json).success).toBe(true);
    const fromToken = await connect({ link_token_id: token.json.data.id, deliver: false });
    expect(fromToken).toMatchObject({ end_user_id: "tok-user", link_token_id: token.json.data.id, platform_id: PLATFORMS[5]!.id, jobs: ["shifts", "employment", "identity"] });
    await connect({ seed: 11, end_user_id: "tok-user", deliver: false });
    await connect({ seed: 12, end_user_id: "someone-else", deliver: false });

    const listed = await get(`/v1/end_users/tok-user/accounts`, "endUserAccounts");
    expect(listed.data.map((account) => account.end_user_id)).toEqual(["tok-user", "tok-user"]);
    const pageOne = await get(`/v1/end_users/tok-user/accounts?limit=1`, "endUserAccounts");
    const pageTwo = await get(`/v1/end_users/tok-user/accounts?limit=1&cursor=${pageOne.meta.next_cursor}`, "endUserAccounts");
    expect([pageOne.data[0]!.id, pageTwo.data[0]!.id]).toEqual(listed.data.map((account) => account.id));
    expect(pageTwo.meta.next_cursor).toBeNull();
    expect((await get(`/v1/end_users/nobody/accounts`, "endUserAccounts")).data).toEqual([]);

    const ta = await get(`/v1/platforms?type=time_and_attendance`, "platforms");
    expect(ta.data.length).toBeGreaterThan(0);
    expect(ta.data.every((platform) => platform.type === "time_and_attendance")).toBe(true);
    expect((await get(`/v1/platforms`, "platforms")).data.length).toBe(PLATFORMS.length);

    const found = await get(`/v1/search?q=work&supported_jobs=paystubs`, "search");
    expect(found.data.map((item) => item.name)).toContain("Workday");
    expect(found.data.every((item) => item.supported_jobs.includes("paystubs"))).toBe(true);
    const employers = await get(`/v1/search?q=harbor`, "search");
    const employer = employers.data.find((item) => item.response_type === "employer");
    expect(employer).toMatchObject({ name: "Harbor Freight Logistics", platform_type: "payroll" });
    const viaEmployer = await call("POST", "/v1/link_tokens", { end_user_id: "emp-user", employer_id: employer!.id });
    expect(viaEmployer.status).toBe(200);
  });

  it("disable_monitoring sets customer_disabled and delivers account.monitoring_status.updated", async () => {
    const webhook = await subscribeSink(["account.monitoring_status.updated"]);
    const { account_id, end_user_id } = await connect({ seed: 5 });
    expect(sink.received).toEqual([]);
    const answer = await call("POST", `/v1/accounts/${account_id}/disable_monitoring`);
    expect(answer).toMatchObject({ status: 200, json: { data: { id: account_id, monitoring_status: "customer_disabled" } } });
    await waitUntil(() => sink.received.length === 1);
    expect(sink.received[0]).toMatchObject({
      event: "account.monitoring_status.updated",
      webhookId: webhook.id,
      verified: true,
      payload: { current_monitoring_status: "customer_disabled", account_id, end_user_id },
    });
    expect((await get(`/v1/accounts/${account_id}`, "account")).data.monitoring_status).toBe("customer_disabled");

    // Called again, nothing changes, so no event says it did.
    expect(await call("POST", `/v1/accounts/${account_id}/disable_monitoring`)).toMatchObject({ status: 200, json: { data: { monitoring_status: "customer_disabled" } } });
    const { account_id: other } = await connect({ seed: 6 });
    await call("POST", `/v1/accounts/${other}/disable_monitoring`);
    await waitUntil(() => sink.received.length === 2);
    expect(sink.received.map((event) => event.payload.account_id)).toEqual([account_id, other]);
  });

  it("a job that ends in error sends outcome error and serves no data; pending comes before the result", async () => {
    await subscribeSink(ALL_EVENTS);
    const result = await connect({ seed: 9, outcomes: { income: "error", identity: "pending" } });
    const income = sink.received.filter((event) => event.event === "income.added");
    expect(income.map((event) => event.payload.outcome)).toEqual(["error"]);
    expect(income[0]!.payload).toMatchObject({ error_code: expect.any(String), error_type: expect.any(String) });
    expect(await call("GET", `/v1/accounts/${result.account_id}/income`)).toMatchObject({ status: 404, json: { error: { code: "data_not_available", message: expect.stringContaining("error") } } });
    const identity = sink.received.filter((event) => event.event === "identity.added");
    expect(identity.map((event) => event.payload.outcome)).toEqual(["pending", "success"]);
    expect(identity[0]!.payload.id).toBe(identity[1]!.payload.id);
    expect(result.failed_jobs).toEqual(["income"]);
  });

  // The paystubs batch of an errored or pending job is empty: its params have no pay-date window,
  // which the schemas once flagged, so strict: true refused the sandbox's own events.
  it("sends events the schemas take without an issue when jobs end in error or are pending first", async () => {
    await subscribeSink(ALL_EVENTS);
    await connect({ seed: 9, outcomes: { paystubs: "error", shifts: "error", income: "error" } });
    await connect({ seed: 10, outcomes: { paystubs: "pending", shifts: "pending", identity: "pending" } });
    const lists = sink.received.filter((event) => /^(paystubs|shifts)\.added$/.test(event.event) && event.payload.outcome !== "success");
    expect(lists.map((event) => `${event.event} ${String(event.payload.outcome)}`).sort()).toEqual([
      "paystubs.added error",
      "paystubs.added pending",
      "shifts.added error",
      "shifts.added pending",
    ]);
    for (const event of sink.received) {
      const body = Object.fromEntries(Object.entries(event).filter(([key]) => key !== "webhookId" && key !== "verified"));
      expect(validateWebhookEvent(body), `${event.event} ${String(event.payload.outcome)}`).toMatchObject({ ok: true });
    }
  });

  it("keeps one end user's account when another end user or platform connects with the same seed", async () => {
    const mine = await connect({ seed: 42, end_user_id: "user_123", deliver: false });
    const theirs = await connect({ seed: 42, end_user_id: "other_user", deliver: false });
    expect(theirs.account_id).not.toBe(mine.account_id);
    expect(theirs.link_token_id).not.toBe(mine.link_token_id);
    expect((await get(`/v1/end_users/user_123/accounts`, "endUserAccounts")).data.map((a) => a.id)).toEqual([mine.account_id]);
    expect((await get(`/v1/accounts/${mine.account_id}`, "account")).data.end_user_id).toBe("user_123");
    const adp = await connect({ seed: 103, platform: "ADP", end_user_id: "u", deliver: false });
    const ukg = await connect({ seed: 103, platform: "UKG", end_user_id: "u", deliver: false });
    expect(adp.account_id).not.toBe(ukg.account_id);
    expect((await get(`/v1/end_users/u/accounts`, "endUserAccounts")).data.map((a) => a.platform_id).sort()).toEqual([adp.platform_id, ukg.platform_id].sort());
    expect((await connect({ seed: 42, end_user_id: "user_123", deliver: false })).account_id).toBe(mine.account_id);
  });

  it("survives a restart of the mock, gives the same account for the same seed, and resets", async () => {
    const first = await connect({ seed: 1234, deliver: false });
    const paystubs = await get(`/v1/accounts/${first.account_id}/paystubs?limit=5`, "paystubs");
    await mock.close();
    db.close();
    mock = await startMock();
    expect((await get(`/v1/accounts/${first.account_id}/paystubs?limit=5`, "paystubs")).data).toEqual(paystubs.data);
    const again = await connect({ seed: 1234, deliver: false });
    expect(again.account_id).toBe(first.account_id);
    expect((await call<{ data: unknown[] }>("GET", "/sandbox/accounts")).json.data).toHaveLength(1);
    expect((await call<{ data: unknown }>("DELETE", "/sandbox/accounts")).json.data).toEqual({ accounts: 1, linkTokens: 0 });
    expect((await call("GET", `/v1/accounts/${first.account_id}`)).status).toBe(404);
  });
});
