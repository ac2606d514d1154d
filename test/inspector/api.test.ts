/**
 * The inspector's HTTP surface over real HTTP: a real receiver, the inspector mounted on it, a
 * SQLite file, and recording servers as replay targets.
 */
import { afterEach, describe, expect, it } from "vitest";
import { buildEvent } from "../../src/events/build.js";
import { verifyWebhook } from "../../src/signing.js";
import type { RequestDetail, RequestSummary } from "../../src/inspector/index.js";
import { startRecordingServer, type RecordingServer } from "../helpers/servers.js";
import { waitUntil } from "../helpers/wait.js";
import { openDatabase } from "../../src/store/database.js";
import { pruneRequests } from "../../src/store/requests.js";
import { seedRequests } from "./seed.js";
import { call, openSse, SECRET, sendWebhook, startInspected, withToken, type Inspected, type SseClient } from "./harness.js";

let inspected: Inspected | undefined;
let recorder: RecordingServer | undefined;
let sse: SseClient | undefined;

afterEach(async () => {
  sse?.close();
  sse = undefined;
  await inspected?.close();
  inspected = undefined;
  await recorder?.close();
  recorder = undefined;
});

const body = (name: Parameters<typeof buildEvent>[0] = "paystubs.added") => JSON.stringify(buildEvent(name));

async function storeOne(target: Inspected, payload = body()): Promise<number> {
  const answer = await sendWebhook(target.base, payload);
  expect(answer.status, answer.text).toBe(200);
  return answer.json<{ id: number }>().id;
}

describe("the page", () => {
  it("is served under /_/ with this run's token, a strict CSP and no outside assets", async () => {
    inspected = await startInspected();
    const page = await call(inspected.page);
    expect(page.status).toBe(200);
    expect(page.headers["content-type"]).toMatch(/^text\/html/);
    expect(page.text).toContain(`<meta name="pinwheel-inspector-token" content="${inspected.inspector.token}">`);
    expect(inspected.inspector.token).toMatch(/^[A-Za-z0-9_-]{43}$/);
    const csp = String(page.headers["content-security-policy"]);
    expect(csp).toContain("default-src 'self'");
    expect(csp).toContain("script-src 'self'");
    expect(csp).not.toContain("unsafe-inline");
    expect(csp).toContain("frame-ancestors 'none'");
    expect(page.headers["x-content-type-options"]).toBe("nosniff");
    expect(page.headers["referrer-policy"]).toBe("no-referrer");
    // Every src/href in the page points at this listener.
    for (const [, url] of page.text.matchAll(/(?:src|href)="([^"]+)"/g)) expect(url).toMatch(/^\/_\//);
    expect(page.text).not.toMatch(/<script(?![^>]*\bsrc=)[^>]*>/);

    expect((await call(`${inspected.base}_`)).status).toBe(308);
    expect((await call(`${inspected.page}style.css`)).headers["content-type"]).toMatch(/^text\/css/);
    expect((await call(`${inspected.page}..%2Fserver.ts`)).status).toBe(404);
    expect((await call(`${inspected.page}nothing.js`)).status).toBe(404);
  });

  it("keeps every other path for webhooks, and nothing under /_/ is stored", async () => {
    inspected = await startInspected();
    await call(inspected.page);
    await call(`${inspected.page}api/requests`);
    const id = await storeOne(inspected);
    expect(id).toBe(1);
    const rows = (await call(`${inspected.page}api/requests`, { headers: withToken(inspected) })).json<{ requests: RequestSummary[] }>();
    expect(rows.requests.map((row) => row.id)).toEqual([1]);
  });

  it("answers only to loopback Host names (DNS rebinding)", async () => {
    inspected = await startInspected();
    expect((await call(inspected.page, { headers: { host: "attacker.example:80" } })).status).toBe(421);
    expect((await call(inspected.page, { headers: { host: `localhost:${inspected.receiver.port}` } })).status).toBe(200);
    const api = await call(`${inspected.page}api/requests`, { headers: withToken(inspected, { host: "rebound.attacker.example" }) });
    expect(api.status).toBe(421);
  });

  it("refuses requests through a proxy or tunnel, which may rewrite Host to localhost", async () => {
    inspected = await startInspected();
    const host = `localhost:${inspected.receiver.port}`;
    for (const header of ["x-forwarded-for", "x-forwarded-host", "forwarded", "cf-connecting-ip", "x-real-ip"]) {
      const page = await call(inspected.page, { headers: { host, [header]: "203.0.113.9" } });
      expect(page.status, header).toBe(403);
      expect(page.text, header).not.toContain(inspected.inspector.token);
      expect((await call(`${inspected.page}api/requests`, { headers: withToken(inspected, { host, [header]: "203.0.113.9" }) })).status, header).toBe(403);
    }
  });
});

describe("the JSON API", () => {
  it("refuses reads without the per-run token", async () => {
    inspected = await startInspected();
    await storeOne(inspected);
    for (const path of ["api/requests", "api/requests/1", "api/info", "api/requests/1/body"]) {
      const refused = await call(`${inspected.page}${path}`);
      expect(refused.status, path).toBe(403);
      expect(refused.json().error).toBe("missing_token");
      expect(refused.text).not.toContain("paystubs");
      const wrong = await call(`${inspected.page}${path}`, { headers: { "x-pinwheel-inspector-token": "x".repeat(43) } });
      expect(wrong.status, path).toBe(403);
      expect((await call(`${inspected.page}${path}`, { headers: withToken(inspected) })).status, path).toBe(200);
    }
  });

  it("shows a forged request's verdict in words, a stale one's age, and schema errors by path", async () => {
    const now = Math.floor(Date.now() / 1000) * 1000;
    inspected = await startInspected({ clock: () => now });
    const forged = (await sendWebhook(inspected.base, body(), { secret: "not-the-secret" })).json<{ id: number }>().id;
    const stale = (await sendWebhook(inspected.base, body(), { timestampSeconds: Math.floor(now / 1000) - 3612 })).json<{ id: number }>().id;
    const envelope = buildEvent("paystubs.added");
    (envelope.payload as Record<string, unknown>).outcome = 42;
    const invalid = await storeOne(inspected, JSON.stringify(envelope));

    const detail = async (id: number) => (await call(`${inspected!.page}api/requests/${id}`, { headers: withToken(inspected!) })).json<RequestDetail>();
    const forgedDetail = await detail(forged);
    expect(forgedDetail.verification).toBe("bad_signature");
    expect(forgedDetail.verification_detail).toBe("signature does not match the body and timestamp");
    expect(forgedDetail.status_code).toBe(401);
    expect(forgedDetail.headers.some(([name]) => name.toLowerCase() === "x-pinwheel-signature")).toBe(true);
    expect(forgedDetail.body.pretty).toContain('\n  "event": "paystubs.added"');
    expect((await detail(stale)).verification_detail).toBe("timestamp 3,612 s old; tolerance 300 s");
    const invalidDetail = await detail(invalid);
    expect(invalidDetail.verification).toBe("verified");
    expect(invalidDetail.schema_errors).toEqual(expect.arrayContaining([expect.objectContaining({ path: "payload.outcome" })]));
    expect(invalidDetail.schema_error_count).toBe(invalidDetail.schema_errors.length);
    expect(invalidDetail.schema_unchecked).toBeNull();
    expect(forgedDetail.schema_unchecked).toBeNull();

    const raw = await call(`${inspected.page}api/requests/${forged}/body`, { headers: withToken(inspected) });
    expect(raw.headers["content-type"]).toBe("application/octet-stream");
    expect(raw.text).toBe(forgedDetail.body.raw);

    const failed = (await call(`${inspected.page}api/requests?verdict=failed`, { headers: withToken(inspected) })).json<{ requests: RequestSummary[] }>();
    expect(failed.requests.map((row) => row.id)).toEqual([stale, forged]);
    const missing = await call(`${inspected.page}api/requests/999`, { headers: withToken(inspected) });
    expect(missing.status).toBe(404);
    // Malformed input is the caller's mistake (400), as the CLI makes it a usage error.
    expect((await call(`${inspected.page}api/requests/abc`, { headers: withToken(inspected) })).status).toBe(400);
    const bogus = await call(`${inspected.page}api/requests?verdict=bogus`, { headers: withToken(inspected) });
    expect(bogus.status).toBe(400);
    expect(bogus.text).toMatch(/verdict must be one of verified, failed/);
    // An event filter no request could match is a typo, answered as the CLI answers it, not an empty list.
    const typo = await call(`${inspected.page}api/requests?event=paystubs.ad`, { headers: withToken(inspected) });
    expect(typo.status).toBe(400);
    expect(typo.text).toMatch(/unknown event \\?"paystubs\.ad\\?"; did you mean \\?"paystubs\.added\\?"\?/);
    const known = await call(`${inspected.page}api/requests?event=shifts.added`, { headers: withToken(inspected) });
    expect(known.status).toBe(200);
 
    // Signed wrong and no envelope: refused for its signature, its payload never checked (not "valid").
    const bare = (await sendWebhook(inspected.base, '{"event":"paystubs.added"}', { secret: "not-the-secret" })).json<{ id: number }>().id;
    expect((await detail(bare)).schema_unchecked).toBe("the envelope lacks event_id (non-empty string), payload (object)");
  });
});

describe("replay", () => {
  it("needs the token in a header: without it, with a wrong one or in the query string, nothing is sent", async () => {
    recorder = await startRecordingServer();
    inspected = await startInspected({ forward: { url: recorder.url, secret: SECRET } });
    const id = await storeOne(inspected);
    const url = `${inspected.page}api/requests/${id}/replay`;
    const json = { "content-type": "application/json" };
    const payload = JSON.stringify({ target: "forward" });
    const attempts = [
      await call(url, { method: "POST", headers: json, body: payload }),
      await call(url, { method: "POST", headers: { ...json, "x-pinwheel-inspector-token": "guess" }, body: payload }),
      await call(`${url}?token=${inspected.inspector.token}`, { method: "POST", headers: json, body: payload }),
    ];
    for (const refused of attempts) {
      expect(refused.status).toBe(403);
      expect(refused.json().error).toBe("missing_token");
    }
    expect(recorder.requests).toHaveLength(0);
  });

  it("refuses a cross-site or cross-origin write even with the token (CSRF), and a form post", async () => {
    recorder = await startRecordingServer();
    inspected = await startInspected({ forward: { url: recorder.url, secret: SECRET } });
    const id = await storeOne(inspected);
    const url = `${inspected.page}api/requests/${id}/replay`;
    const payload = JSON.stringify({ target: "forward" });
    const crossOrigin = await call(url, { method: "POST", headers: withToken(inspected, { "content-type": "application/json", origin: "http://evil.example" }), body: payload });
    expect(crossOrigin.status).toBe(403);
    expect(crossOrigin.json().error).toBe("cross_origin");
    const crossSite = await call(url, { method: "POST", headers: withToken(inspected, { "content-type": "application/json", "sec-fetch-site": "cross-site" }), body: payload });
    expect(crossSite.status).toBe(403);
    expect(crossSite.json().error).toBe("cross_site");
    const form = await call(url, { method: "POST", headers: withToken(inspected, { "content-type": "application/x-www-form-urlencoded" }), body: "target=forward" });
    expect(form.status).toBe(415);
    // A browser's preflight for the token header gets no CORS answer, so the real call never leaves the other page.
    const preflight = await call(url, { method: "OPTIONS", headers: { origin: "http://evil.example", "access-control-request-method": "POST" } });
    expect(preflight.headers["access-control-allow-origin"]).toBeUndefined();
    expect(recorder.requests).toHaveLength(0);

    const sameOrigin = await call(url, {
      method: "POST",
      headers: withToken(inspected, { "content-type": "application/json", origin: inspected.base.replace(/\/$/, ""), "sec-fetch-site": "same-origin" }),
      body: payload,
    });
    expect(sameOrigin.status, sameOrigin.text).toBe(200);
    expect(recorder.requests).toHaveLength(1);
  });

  it("re-signs with a fresh timestamp, or sends the recorded headers, and records each attempt against the request", async () => {
    recorder = await startRecordingServer();
    const forwardSecret = "the-apps-own-secret";
    inspected = await startInspected({ forward: { url: recorder.url, secret: forwardSecret } });
    const payload = body();
    const sent = await sendWebhook(inspected.base, payload, { timestampSeconds: Math.floor(Date.now() / 1000) - 120 });
    const id = sent.json<{ id: number }>().id;
    const replay = (target: Record<string, unknown>) =>
      call(`${inspected!.page}api/requests/${id}/replay`, { method: "POST", headers: withToken(inspected!, { "content-type": "application/json" }), body: JSON.stringify(target) });

    const toForward = await replay({ target: "forward" });
    expect(toForward.status, toForward.text).toBe(200);
    expect(toForward.json()).toMatchObject({ ok: true, url: recorder.url, mode: "resigned", attempts: [{ status_code: 200, ok: true }] });
    const forwarded = recorder.requests[0]!;
    expect(forwarded.body.toString("utf8")).toBe(payload);
    expect(verifyWebhook({ secret: forwardSecret, headers: forwarded.headers, rawBody: forwarded.body }).ok).toBe(true);
    expect(Number(forwarded.headers["x-timestamp"])).toBeGreaterThanOrEqual(Math.floor(Date.now() / 1000) - 5);
    expect(forwarded.headers["x-pinwheel-webhook-id"]).toBe("6f1c9d2e-3a4b-4c5d-8e9f-0a1b2c3d4e5f");

    const typed = await startRecordingServer(() => ({ status: 503 }));
    try {
      const asRecorded = await replay({ target: "url", url: `${typed.url}hooks?x=1`, mode: "recorded" });
      expect(asRecorded.json()).toMatchObject({ ok: false, mode: "recorded", attempts: [{ status_code: 503 }] });
      const copy = typed.requests[0]!;
      expect(copy.url).toBe("/hooks?x=1");
      const stored = (await call(`${inspected.page}api/requests/${id}`, { headers: withToken(inspected) })).json<RequestDetail>();
      const header = (name: string) => stored.headers.find(([key]) => key.toLowerCase() === name)![1];
      expect(copy.headers["x-pinwheel-signature"]).toBe(header("x-pinwheel-signature"));
      expect(copy.headers["x-timestamp"]).toBe(header("x-timestamp"));
      expect(copy.body.equals(Buffer.from(payload))).toBe(true);
      expect(stored.attempts.map((a) => [a.source, a.status_code, a.url])).toEqual([
        ["replay", 503, `${typed.url}hooks?x=1`],
        ["replay", 200, recorder.url],
      ]);
    } finally {
      await typed.close();
    }

    // Typed without its scheme, as replay --to takes it: on this machine it means http://.
    const schemeless = await replay({ target: "url", url: recorder.url.replace(/^http:\/\//, "") });
    expect(schemeless.json()).toMatchObject({ ok: true, url: recorder.url, attempts: [{ status_code: 200 }] });
    expect((await replay({ target: "url", url: "ftp://example.test/" })).status).toBe(400);
    expect((await replay({ target: "somewhere" })).status).toBe(400);
  });

  it("re-signs a request that was not verified only when asked to include it, and says so", async () => {
    recorder = await startRecordingServer();
    inspected = await startInspected({ forward: { url: recorder.url, secret: SECRET } });
    const forged = await sendWebhook(inspected.base, body(), { secret: "not-the-secret" });
    expect(forged.status).toBe(401);
    const id = forged.json<{ id: number }>().id;
    const replay = (fields: Record<string, unknown>) =>
      call(`${inspected!.page}api/requests/${id}/replay`, { method: "POST", headers: withToken(inspected!, { "content-type": "application/json" }), body: JSON.stringify({ target: "forward", ...fields }) });

    const refused = await replay({});
    expect(refused.status).toBe(409);
    expect(refused.json()).toMatchObject({ error: "unverified", message: expect.stringMatching(/was not verified when it arrived \(bad_signature\)/) });
    expect(recorder.requests).toHaveLength(0);
    // As recorded it carries its own failing signature: nothing is forged, and an app that takes it fails the replay.
    expect((await replay({ mode: "recorded" })).json()).toMatchObject({
      unverified: true,
      mode: "recorded",
      ok: false,
      expected_refusal: { kind: "unverified", verification: "bad_signature" },
      attempts: [{ status_code: 200 }],
    });
    const refusing = await startRecordingServer(() => ({ status: 401 }));
    try {
      // One that refuses it answers as it should: the replay passes.
      expect((await replay({ mode: "recorded", target: "url", url: refusing.url })).json()).toMatchObject({ ok: true, attempts: [{ status_code: 401 }] });
    } finally {
      await refusing.close();
    }
    const confirmed = await replay({ include_unverified: true });
    expect(confirmed.status, confirmed.text).toBe(200);
    expect(confirmed.json()).toMatchObject({ ok: true, unverified: true, mode: "resigned" });
    expect(verifyWebhook({ secret: SECRET, headers: recorder.requests[1]!.headers, rawBody: recorder.requests[1]!.body }).ok).toBe(true);
  });

  it("re-signs a request listen rejected after verifying it (not a Pinwheel event) only when asked to include it, and says so", async () => {
    recorder = await startRecordingServer();
    inspected = await startInspected({ forward: { url: recorder.url, secret: SECRET } });
    const notJson = await sendWebhook(inspected.base, "hello, not a webhook");
    expect(notJson.status).toBe(400);
    const id = notJson.json<{ id: number }>().id;
    const replay = (fields: Record<string, unknown>) =>
      call(`${inspected!.page}api/requests/${id}/replay`, { method: "POST", headers: withToken(inspected!, { "content-type": "application/json" }), body: JSON.stringify({ target: "forward", ...fields }) });

    for (const fields of [{}, { include_unverified: true }]) {
      const refused = await replay(fields);
      expect(refused.status).toBe(409);
      expect(refused.json()).toMatchObject({ error: "rejected", message: expect.stringMatching(/listen rejected this request after verifying it: it is not a Pinwheel event/) });
    }
    expect(recorder.requests).toHaveLength(0);
    expect((await replay({ include_rejected: "yes" })).status).toBe(400);
    // As recorded it carries its own signature and timestamp: nothing is presented as a fresh event.
    expect((await replay({ mode: "recorded" })).json()).toMatchObject({ rejected: true, unverified: false, mode: "recorded" });
    const confirmed = await replay({ include_rejected: true });
    expect(confirmed.status, confirmed.text).toBe(200);
    expect(confirmed.json()).toMatchObject({ ok: true, rejected: true, unverified: false, mode: "resigned" });
    expect(recorder.requests[1]!.body.toString("utf8")).toBe("hello, not a webhook");
  });

  it("bound beyond loopback, serves the page to any Host but takes replays only through a loopback name (no signing service for the network)", async () => {
    recorder = await startRecordingServer();
    inspected = await startInspected({ forward: { url: recorder.url, secret: SECRET }, loopbackOnly: false });
    const forged = await sendWebhook(inspected.base, body(), { secret: "not-the-secret" });
    const id = forged.json<{ id: number }>().id;
    const lan = { host: `192.168.1.20:${inspected.receiver.port}`, origin: `http://192.168.1.20:${inspected.receiver.port}` };
    expect((await call(inspected.page, { headers: { host: lan.host } })).status).toBe(200);
    const replay = (headers: Record<string, string>) =>
      call(`${inspected!.page}api/requests/${id}/replay`, {
        method: "POST",
        headers: withToken(inspected!, { "content-type": "application/json", ...headers }),
        body: JSON.stringify({ target: "forward", include_unverified: true }),
      });
    const refused = await replay(lan);
    expect(refused.status).toBe(403);
    expect(refused.json()).toMatchObject({ error: "replay_needs_localhost" });
    expect(recorder.requests).toHaveLength(0);
    const local = await replay({});
    expect(local.status, local.text).toBe(200);
    expect(recorder.requests).toHaveLength(1);
  });

  it("says so when there is no forward target, and the page offers a typed URL instead", async () => {
    inspected = await startInspected();
    const id = await storeOne(inspected);
    const answer = await call(`${inspected.page}api/requests/${id}/replay`, {
      method: "POST",
      headers: withToken(inspected, { "content-type": "application/json" }),
      body: JSON.stringify({ target: "forward" }),
    });
    expect(answer.status).toBe(400);
    expect(answer.json().message).toMatch(/--forward-to/);
  });
});

describe("the live stream", () => {
  it("needs the token, then delivers each newly stored request, with heartbeats", async () => {
    inspected = await startInspected({ stream: { heartbeatMs: 50 } });
    const refused = await openSse(`${inspected.page}api/stream`);
    expect(refused.response.statusCode).toBe(403);
    refused.close();

    sse = await openSse(`${inspected.page}api/stream?token=${inspected.inspector.token}`);
    expect(sse.response.statusCode).toBe(200);
    expect(sse.response.headers["content-type"]).toMatch(/^text\/event-stream/);
    const id = await storeOne(inspected);
    const event = await sse.next((e) => e.event === "request");
    expect(event.id).toBe(String(id));
    expect(JSON.parse(event.data)).toMatchObject({ id, event: "paystubs.added", verification: "verified", duplicate: false });
    const stream = sse;
    await waitUntil(() => stream.comments >= 2);
  });

  it("once the inspector is closing, answers a page reconnecting 503 on a connection it closes (the page asks again until a new run answers)", async () => {
    inspected = await startInspected();
    await inspected.inspector.close();
    const answer = await call(`${inspected.page}api/stream?token=${inspected.inspector.token}`);
    expect(answer.status).toBe(503);
    expect(answer.headers.connection).toBe("close");
    expect(answer.json()).toMatchObject({ error: "stopping" });
  });

  it("catches a reconnecting page up from Last-Event-ID", async () => {
    inspected = await startInspected();
    const first = await storeOne(inspected);
    const second = await storeOne(inspected);
    const third = await storeOne(inspected);
    sse = await openSse(`${inspected.page}api/stream?token=${inspected.inspector.token}&after=0`, { "last-event-id": String(first) });
    await sse.next((e) => e.id === String(third));
    expect(sse.events.filter((e) => e.event === "request").map((e) => Number(e.id))).toEqual([second, third]);
  });

  it("delivers the rows another process stores in the same file too, each once beside this one's own", async () => {
    inspected = await startInspected();
    const before = await storeOne(inspected);
    sse = await openSse(`${inspected.page}api/stream?token=${inspected.inspector.token}&after=${before}`);
    // Another listen on the same store: its rows reach this process only through the file.
    const other = openDatabase(inspected.db.name);
    try {
      seedRequests(other, 3);
    } finally {
      other.close();
    }
    const own = await storeOne(inspected);
    const client = sse;
    await client.next((e) => e.id === String(before + 3), 5_000);
    // One more poll after all four: nothing comes twice.
    await new Promise((resolve) => setTimeout(resolve, 1_500));
    const ids = client.events.filter((e) => e.event === "request").map((e) => Number(e.id));
    expect(ids.sort((a, b) => a - b)).toEqual([before + 1, before + 2, before + 3, own]);
  });

  it("tells open pages to reload rather than send more of another process's rows than a stream takes at once", async () => {
    inspected = await startInspected();
    const before = await storeOne(inspected);
    sse = await openSse(`${inspected.page}api/stream?token=${inspected.inspector.token}&after=${before}`);
    const other = openDatabase(inspected.db.name);
    try {
      seedRequests(other, 500);
    } finally {
      other.close();
    }
    const client = sse;
    await client.next((e) => e.event === "reset", 5_000);
    expect(client.events.filter((e) => e.event === "request")).toHaveLength(0);
  });

  it("tells open pages to reload when events prune deleted rows, and goes on with the next rows, numbered past the deleted", async () => {
    inspected = await startInspected();
    const newest = await storeOne(inspected);
    sse = await openSse(`${inspected.page}api/stream?token=${inspected.inspector.token}&after=${newest}`);
    const other = openDatabase(inspected.db.name);
    try {
      pruneRequests(other, { all: true });
    } finally {
      other.close();
    }
    await sse.next((e) => e.event === "reset", 5_000);
    const next = await storeOne(inspected);
    expect(next).toBe(newest + 1);
    await sse.next((e) => e.event === "request" && e.id === String(next));
  });

  it("tells open pages to start over when the rows they show were deleted by other means (SQL), since new rows then reuse lower ids", async () => {
    inspected = await startInspected();
    const newest = await storeOne(inspected);
    sse = await openSse(`${inspected.page}api/stream?token=${inspected.inspector.token}&after=${newest}`);
    const other = openDatabase(inspected.db.name);
    try {
      other.exec("DELETE FROM requests");
    } finally {
      other.close();
    }
    await sse.next((e) => e.event === "reset", 5_000);
    const reused = await storeOne(inspected);
    expect(reused).toBe(1);
    await sse.next((e) => e.event === "request" && e.id === "1");
  });

  it("lets the server close while pages are connected", async () => {
    inspected = await startInspected();
    sse = await openSse(`${inspected.page}api/stream?token=${inspected.inspector.token}`);
    const ended = new Promise<void>((resolve) => sse!.response.once("end", () => resolve()));
    const closing = inspected.close();
    inspected = undefined;
    await closing;
    await ended;
  });
});
