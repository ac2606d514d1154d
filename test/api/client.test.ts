/** The HTTP client against the strict fake: exact requests, pagination, and every failure kind. */
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { createHttpWebhooksApi, type HttpWebhooksApi } from "../../src/api/client.js";
import { ApiTransportError, PinwheelApiError } from "../../src/api/errors.js";
import { listAll } from "../../src/api/list-all.js";
import { seedWebhook, startStrictFake, type StrictFake } from "./strict-fake.js";

const SECRET = "client-test-secret-0123456789";
let fake: StrictFake;
let api: HttpWebhooksApi;

beforeEach(async () => {
  fake = await startStrictFake(SECRET);
  api = createHttpWebhooksApi({ baseUrl: fake.url, secret: SECRET, apiVersion: "2023-11-22", timeoutMs: 2000 });
});

afterEach(async () => {
  await api.close();
  await fake.close();
  expect(fake.violations).toEqual([]);
});

async function failure(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (error) {
    return error;
  }
  throw new Error("expected the call to fail");
}

describe("requests as FACTS.md spells them", () => {
  it("reaches a base URL on http://app.localhost at this machine's 127.0.0.1, without asking the resolver for the name", async () => {
    const named = createHttpWebhooksApi({ baseUrl: fake.url.replace("127.0.0.1", "app.localhost"), secret: SECRET, apiVersion: "2023-11-22", timeoutMs: 2000 });
    try {
      expect(await named.list()).toMatchObject({ data: [] });
    } finally {
      await named.close();
    }
    expect(fake.requests.map((r) => `${r.method} ${r.headers.host}`)).toEqual([`GET ${new URL(fake.url).host.replace("127.0.0.1", "app.localhost")}`]);
  });

  it("create, get, update, delete send the documented method, path, headers and body", async () => {
    const created = await api.create({ url: "https://example.com/hook", status: "active", enabled_events: ["income.added"], version: "2025-07-08" });
    expect(created).toMatchObject({ url: "https://example.com/hook", status: "active", enabled_events: ["income.added"] });
    expect(await api.get(created.id)).toEqual(created);
    const updated = await api.update(created.id, { status: "paused" });
    expect(updated.status).toBe("paused");
    await api.delete(created.id);
    expect(fake.webhooks).toEqual([]);

    expect(fake.requests.map((r) => `${r.method} ${r.url}`)).toEqual([
      "POST /v1/webhooks",
      `GET /v1/webhooks/${created.id}`,
      `PUT /v1/webhooks/${created.id}`,
      `DELETE /v1/webhooks/${created.id}`,
    ]);
    for (const request of fake.requests) {
      expect(request.headers["x-api-secret"]).toBe(SECRET);
      expect(request.headers["pinwheel-version"]).toBe("2023-11-22");
    }
    expect(JSON.parse(fake.requests[2]!.body)).toEqual({ status: "paused" });
  });

  it("listAll follows meta.next_cursor to the end, and stops at a limit", async () => {
    const seeded = Array.from({ length: 7 }, (_, i) => seedWebhook(fake, i));
    const all = await listAll(api, { pageSize: 3 });
    expect(all.map((w) => w.id)).toEqual(seeded.map((w) => w.id));
    expect(fake.requests.map((r) => new URL(r.url, "http://x").searchParams.get("limit"))).toEqual(["3", "3", "3"]);
    expect(fake.requests[1]!.url).toMatch(/cursor=cursor-/);

    fake.requests.length = 0;
    const some = await listAll(api, { pageSize: 3, limit: 4 });
    expect(some.map((w) => w.id)).toEqual(seeded.slice(0, 4).map((w) => w.id));
    expect(fake.requests.map((r) => new URL(r.url, "http://x").searchParams.get("limit"))).toEqual(["3", "1"]);
  });
});

describe("failures", () => {
  it("an error answer becomes PinwheelApiError with the API's body", async () => {
    const body = {
      type: "INVALID_REQUEST_PARAMETERS",
      code: "field_error",
      message: "Invalid parameters",
      status_code: 400,
      fields: [{ name: "url", message: "must be reachable" }],
    };
    fake.script.push({ status: 400, body: { error: body } });
    const error = await failure(api.create({ url: "https://example.com/x", status: "active", enabled_events: ["income.added"], version: "2025-07-08" }));
    expect(error).toBeInstanceOf(PinwheelApiError);
    expect((error as PinwheelApiError).body).toEqual(body);
  });

  it("a missing webhook is RECORD_NOT_FOUND", async () => {
    const error = await failure(api.get("61788409-8314-4e89-9300-ae7b9d3ccff5"));
    expect((error as PinwheelApiError).body.type).toBe("RECORD_NOT_FOUND");
  });

  it("an answer that is not Pinwheel's shape is an unexpected answer, with the status", async () => {
    fake.script.push({ status: 502, body: "<html>Bad gateway</html>", raw: true });
    const error = await failure(api.list());
    expect(error).toBeInstanceOf(ApiTransportError);
    expect(error).toMatchObject({ kind: "unexpected_answer", statusCode: 502 });
    expect((error as Error).message).toContain("Bad gateway");
  });

  it("no answer in time is a timeout", async () => {
    const slow = createHttpWebhooksApi({ baseUrl: fake.url, secret: SECRET, apiVersion: "2025-07-08", timeoutMs: 150 });
    fake.script.push({ status: 200, body: { data: [], meta: { count: 0, next_cursor: null } }, delayMs: 2000 });
    const error = await failure(slow.list());
    await slow.close();
    // A timeout, not the answer that came 2 s later.
    expect(error).toMatchObject({ kind: "timeout" });
  });

  it("a refused connection is a network error", async () => {
    const closed = await startStrictFake(SECRET);
    await closed.close();
    const unreachable = createHttpWebhooksApi({ baseUrl: closed.url, secret: SECRET, apiVersion: "2025-07-08", timeoutMs: 2000 });
    const error = await failure(unreachable.list());
    await unreachable.close();
    expect(error).toMatchObject({ kind: "network" });
    expect((error as Error).message).toMatch(/ECONNREFUSED/);
  });
});
