/**
 * listen --forward-to through the BUILT binary (npm run build first): what the app receives, what
 * the sender is answered, what is stored, and that an app that is down never stops the listener.
 */
import { readFileSync } from "node:fs";
import { createServer } from "node:http";
import { join } from "node:path";
import Database from "better-sqlite3";
import { createServer as createHttpsServer } from "node:https";
import type { AddressInfo } from "node:net";
import { request } from "undici";
import { describe, expect, it } from "vitest";
import { buildEvent } from "../../../src/events/build.js";
import { signedHeaders, verifyWebhook } from "../../../src/signing.js";
import { runCli } from "../../helpers/cli.js";
import { useListenRuns } from "../../helpers/listen-runs.js";
import { closedPort, deliveriesList, expectExit, ndjson } from "../../helpers/delivery-cli.js";
import { readUntil } from "../../helpers/wait.js";
import { REPO_ROOT } from "../../helpers/cli.js";

const SECRET = "listen-forward-secret";
const WEBHOOK_ID = "3c2b1a09-8f7e-4d6c-9b5a-4e3d2c1b0a9f";

interface Line {
  type: string;
  id?: number;
  request_id?: number;
  event?: string | null;
  event_id?: string | null;
  ok?: boolean;
  status_code?: number | null;
  error?: string | null;
}

const run = useListenRuns();

async function send(url: string, body: string | Buffer, timestamp = Math.floor(Date.now() / 1000)): Promise<{ status: number; body: Record<string, unknown> }> {
  const response = await request(url, { method: "POST", headers: signedHeaders(SECRET, body, { timestamp, webhookId: WEBHOOK_ID }), body });
  return { status: response.statusCode, body: (await response.body.json()) as Record<string, unknown> };
}

const forwardOf = (id: number) => (line: unknown) => (line as Line).type === "forward" && (line as Line).request_id === id;

describe("listen --forward-to", () => {
  it("forwards the raw body byte for byte, re-signed, with Pinwheel's four headers, and stores and shows the app's answer", async () => {
    const home = run.tempHome();
    const app = await run.startApp();
    const listener = await run.startListen(["--secret", SECRET, "--forward-to", `${app.url}webhooks/pinwheel?source=pinwheel-cli`], home.env);
    // Odd spacing, a trailing newline and non-ASCII text: any re-serialisation would change the bytes.
    const envelope = buildEvent("paystubs.added");
    const body = Buffer.from(`${JSON.stringify(envelope, null, 3).replace('"payload": {', '"payload"  :{ "note": "Zoë ✓ \\u00e9",')}\n`, "utf8");
    const signedAt = Math.floor(Date.now() / 1000) - 100;
    const answer = await send(listener.url, body, signedAt);
    expect(answer.status).toBe(200);
    const id = answer.body.id as number;

    const shown = (await listener.waitFor(forwardOf(id))) as Line;
    expect(shown).toMatchObject({ ok: true, status_code: 200, error: null, event_id: envelope.event_id });
    expect(app.requests).toHaveLength(1);
    const received = app.requests[0]!;
    expect(received.url).toBe("/webhooks/pinwheel?source=pinwheel-cli");
    expect(received.body.equals(body)).toBe(true);
    expect(received.headers["content-type"]).toBe("application/json");
    expect(received.headers["x-pinwheel-webhook-id"]).toBe(WEBHOOK_ID);
    expect(Number(received.headers["x-timestamp"])).toBeGreaterThan(signedAt);
    expect(verifyWebhook({ secret: SECRET, headers: received.headers, rawBody: received.body }).ok).toBe(true);

    const attempts = await readUntil(() => deliveriesList(home.env), (rows) => rows.length > 0);
    expect(attempts).toHaveLength(1);
    expect(attempts[0]).toMatchObject({ source: "forward", request_id: id, status_code: 200, error: null, response_body: '{"recorded":0}' });
  });

  it("signs the forwarded copy with --forward-secret when the app has its own", async () => {
    const home = run.tempHome();
    const app = await run.startApp();
    const listener = await run.startListen(["--secret", SECRET, "--forward-to", app.url, "--forward-secret", "the-apps-secret"], home.env);
    const { body } = await send(listener.url, JSON.stringify(buildEvent("income.added")));
    await listener.waitFor(forwardOf(body.id as number));
    const received = app.requests[0]!;
    expect(verifyWebhook({ secret: "the-apps-secret", headers: received.headers, rawBody: received.body }).ok).toBe(true);
    expect(verifyWebhook({ secret: SECRET, headers: received.headers, rawBody: received.body }).ok).toBe(false);
  });

  it("an app that refuses forwards with 401: one warning naming what re-signs them and --forward-secret, never the secret", async () => {
    const home = run.tempHome();
    const app = await run.startApp(() => ({ status: 401 }));
    const listener = await run.startListen(["--secret", SECRET, "--forward-to", app.url], home.env);
    for (const event of ["income.added", "paystubs.added"] as const) {
      const { body } = await send(listener.url, JSON.stringify(buildEvent(event)));
      await listener.waitFor(forwardOf(body.id as number));
    }
    const { stderr } = await listener.stop();
    const warnings = stderr.split("\n").filter((line) => line.includes("answered 401 to a forwarded event"));
    expect(warnings).toEqual([
      `warning: your app at ${app.url} answered 401 to a forwarded event: listen re-signs each forward with listen's own secret (--secret); ` +
        "give your app that secret, or pass --forward-secret <the secret your app verifies with>",
    ]);
    expect(stderr).not.toContain(SECRET);
  });

  it("--forward-status answers with the app's status, so a retrying sender retries through to the app", async () => {
    const home = run.tempHome();
    const app = await run.startApp((index) => ({ status: index < 2 ? 500 : 200 }));
    const listener = await run.startListen(["--secret", SECRET, "--forward-to", app.url, "--forward-status"], home.env);
    const sender = await runCli(["simulate", "paystubs.added", "--to", listener.url, "--secret", SECRET, "--retry-base", "20", "--json"], { env: home.env });
    expectExit(sender, 0);
    const attempts = ndjson(sender.stdout).filter((line) => line.type === "attempt");
    expect(attempts.map((attempt) => attempt.status_code)).toEqual([500, 500, 200]);
    expect(app.requests).toHaveLength(3);
    expect(new Set(app.requests.map((r) => r.body.toString("utf8"))).size).toBe(1);

    const stored = await runCli(["events", "list", "--json"], { env: home.env });
    const rows = JSON.parse(stored.stdout) as { status_code: number; duplicate: boolean; verified: boolean }[];
    // What the listener answered is what it stored; a request answered 500 was not accepted, so its retry is no duplicate.
    expect(rows.map((row) => row.status_code)).toEqual([200, 500, 500]);
    expect(rows.map((row) => row.duplicate)).toEqual([false, false, false]);
    // listen's own lines say what it answered too, each before the forward it waited for.
    const lines = (listener.lines() as Line[]).filter((line) => line.type === "request" || line.type === "forward");
    expect(lines.map((line) => [line.type, line.status_code])).toEqual([
      ["request", 500],
      ["forward", 500],
      ["request", 500],
      ["forward", 500],
      ["request", 200],
      ["forward", 200],
    ]);
  });

  it("an app that is down is a stored, shown failure, and listen keeps receiving", async () => {
    const home = run.tempHome();
    const port = await closedPort();
    const listener = await run.startListen(["--secret", SECRET, "--forward-to", `http://127.0.0.1:${port}/hook`], home.env);
    const envelope = buildEvent("employment.added");
    const first = await send(listener.url, JSON.stringify(envelope));
    expect(first.status).toBe(200);
    const shown = (await listener.waitFor(forwardOf(first.body.id as number))) as Line;
    expect(shown.ok).toBe(false);
    expect(shown.status_code).toBeNull();
    expect(shown.error).toMatch(/ECONNREFUSED/);

    const attempts = await readUntil(() => deliveriesList(home.env), (rows) => rows.length > 0);
    expect(attempts[0]).toMatchObject({ source: "forward", status_code: null, url: `http://127.0.0.1:${port}/hook` });
    expect(attempts[0]!.error).toMatch(/ECONNREFUSED/);
    const show = await runCli(["events", "show", envelope.event_id, "--json"], { env: home.env });
    expectExit(show, 0);
    const detail = JSON.parse(show.stdout) as { deliveries: { source: string; error: string | null }[] };
    expect(detail.deliveries[0]).toMatchObject({ source: "forward", error: expect.stringMatching(/ECONNREFUSED/) });

    const second = await send(listener.url, JSON.stringify(buildEvent("identity.added")));
    expect(second.status).toBe(200);
    await listener.waitFor(forwardOf(second.body.id as number));
    expect(listener.process.exitCode).toBeNull();
  });

  it("with --forward-status, an answer whose status cannot be recorded is shown once, as the 503 it was answered, and said to be stored", async () => {
    const home = run.tempHome();
    const dbPath = join(home.home, "data", "events.db");
    // The app answers 500 after making every write to the store fail (as a full disk would): listen cannot record the 500.
    const app = createServer((req, res) =>
      req.resume().on("end", () => {
        const db = new Database(dbPath);
        db.exec("ALTER TABLE requests RENAME TO requests_away");
        db.close();
        res.statusCode = 500;
        res.end("{}");
      }),
    );
    await new Promise<void>((resolve) => app.listen(0, "127.0.0.1", resolve));
    try {
      const appUrl = `http://127.0.0.1:${(app.address() as AddressInfo).port}/`;
      const listener = await run.startListen(["--secret", SECRET, "--forward-to", appUrl, "--forward-status"], home.env);
      const answer = await send(listener.url, JSON.stringify(buildEvent("income.added")));
      expect(answer.status).toBe(503);
      expect(answer.body).toMatchObject({ error: "not_stored" });
      const id = answer.body.id as number;
      await listener.waitFor(forwardOf(id));
      const { stderr } = await listener.stop();
      // One line for the request, saying what was answered: never the app's 500 that went nowhere, nor a second line without its id.
      const lines = (listener.lines() as Line[]).filter((line) => line.type === "request" || line.type === "forward");
      expect(lines.map((line) => [line.type, line.type === "request" ? line.id : line.request_id, line.status_code])).toEqual([
        ["request", id, 503],
        ["forward", id, 500],
      ]);
      expect(stderr).toContain(`request #${id} was stored, but its answer could not be recorded (no such table: requests): it was answered 503`);
      expect(stderr).not.toContain("requests cannot be stored");
    } finally {
      app.close();
    }
  });

  it("with --forward-status, an app that is down makes the listener answer 502", async () => {
    const home = run.tempHome();
    const port = await closedPort();
    const listener = await run.startListen(["--secret", SECRET, "--forward-to", `http://127.0.0.1:${port}/`, "--forward-status"], home.env);
    const answer = await send(listener.url, JSON.stringify(buildEvent("account.added")));
    expect(answer.status).toBe(502);
    expect(answer.body).toMatchObject({ forwarded: true, status_code: null, error: expect.stringMatching(/ECONNREFUSED/) });
    expect(listener.process.exitCode).toBeNull();
  });

  it("past --forward-queue, with --forward-status, a forward is recorded as abandoned and the sender answered 503", async () => {
    const home = run.tempHome();
    const app = await run.startApp(() => ({ status: 200, delayMs: 30_000 }));
    const listener = await run.startListen(["--secret", SECRET, "--forward-to", app.url, "--forward-status", "--forward-queue", "1", "--json"], home.env);
    const waiting = send(listener.url, JSON.stringify(buildEvent("account.added")));
    await readUntil(async () => app.requests.length, (n) => n === 1);
    const shed = await send(listener.url, JSON.stringify(buildEvent("account.added")));
    expect(shed.status).toBe(503);
    expect(shed.body).toMatchObject({ forwarded: false, status_code: null, error: expect.stringMatching(/^abandoned: not forwarded, 1 forwards are already waiting/) });
    const shown = (await listener.waitFor(forwardOf(shed.body.id as number))) as Line;
    expect(shown).toMatchObject({ ok: false, error: shed.body.error });
    const attempts = await readUntil(() => deliveriesList(home.env), (rows) => rows.length > 0);
    expect(attempts[0]).toMatchObject({ source: "forward", request_id: shed.body.id, error: shed.body.error });
    void waiting.catch(() => {});
  });

  it("an https:// app with a self-signed certificate: each forward fails on it, one warning says how to trust it, and that way works", async () => {
    // A test-only certificate for localhost (test/helpers/tls/), valid for a hundred years.
    const tls = { cert: readFileSync(`${REPO_ROOT}test/helpers/tls/localhost.crt`), key: readFileSync(`${REPO_ROOT}test/helpers/tls/localhost.key`) };
    const app = createHttpsServer(tls, (req, res) => req.resume().on("end", () => res.end("{}")));
    await new Promise<void>((resolve) => app.listen(0, "127.0.0.1", resolve));
    try {
      const appUrl = `https://localhost:${(app.address() as AddressInfo).port}/hook`;
      const home = run.tempHome();
      const listener = await run.startListen(["--secret", SECRET, "--forward-to", appUrl], home.env);
      for (const event of ["income.added", "paystubs.added"] as const) {
        const { body } = await send(listener.url, JSON.stringify(buildEvent(event)));
        const shown = (await listener.waitFor(forwardOf(body.id as number))) as Line;
        expect(shown).toMatchObject({ ok: false, error: expect.stringMatching(/^DEPTH_ZERO_SELF_SIGNED_CERT: /) });
      }
      const { stderr } = await listener.stop();
      expect(stderr.split("\n").filter((line) => line.includes("TLS certificate"))).toEqual([
        `warning: forwards to ${appUrl} fail on its TLS certificate: Node does not trust it (self-signed, or from a local CA): ` +
          "start pinwheel-cli with NODE_EXTRA_CA_CERTS=<ca.pem> (a self-signed certificate is its own CA), or use the app's plain http:// port",
      ]);

      // What the warning says to do.
      const trusting = await run.startListen(["--secret", SECRET, "--forward-to", appUrl], { ...home.env, NODE_EXTRA_CA_CERTS: `${REPO_ROOT}test/helpers/tls/localhost.crt` });
      const { body } = await send(trusting.url, JSON.stringify(buildEvent("income.added")));
      expect(await trusting.waitFor(forwardOf(body.id as number))).toMatchObject({ ok: true, status_code: 200 });
      expect((await trusting.stop()).stderr).not.toContain("TLS certificate");
    } finally {
      app.closeAllConnections();
      await new Promise((resolve) => app.close(resolve));
    }
  });

  it("--events limits what is forwarded and shown; every request is still stored", async () => {
    const home = run.tempHome();
    const app = await run.startApp();
    const listener = await run.startListen(["--secret", SECRET, "--forward-to", app.url, "--events", "paystubs.added"], home.env);
    const skipped = await send(listener.url, JSON.stringify(buildEvent("income.added")));
    const kept = await send(listener.url, JSON.stringify(buildEvent("paystubs.added")));
    expect([skipped.status, kept.status]).toEqual([200, 200]);
    await listener.waitFor(forwardOf(kept.body.id as number));
    // Stopped, listen has settled every forward it started (sent, or recorded as abandoned) and printed its line.
    expect((await listener.stop()).code).toBe(0);

    expect(app.requests.map((r) => JSON.parse(r.body.toString("utf8")).event)).toEqual(["paystubs.added"]);
    const lines = listener.lines() as Line[];
    expect(lines.filter((line) => line.type === "request").map((line) => line.event)).toEqual(["paystubs.added"]);
    expect(lines.filter((line) => line.type === "forward").map((line) => line.request_id)).toEqual([kept.body.id]);
    expect((await deliveriesList(home.env)).map((attempt) => attempt.request_id)).toEqual([kept.body.id]);
    const stored = JSON.parse((await runCli(["events", "list", "--json"], { env: home.env })).stdout) as { event: string }[];
    expect(stored.map((row) => row.event)).toEqual(["paystubs.added", "income.added"]);
  });

  it("--events '*' (the Stripe CLI's default) is every event, as without --events", async () => {
    const home = run.tempHome();
    const app = await run.startApp();
    const listener = await run.startListen(["--secret", SECRET, "--forward-to", app.url, "--events", "*"], home.env);
    const ids: unknown[] = [];
    for (const event of ["income.added", "paystubs.added"] as const) {
      const { body } = await send(listener.url, JSON.stringify(buildEvent(event)));
      ids.push(body.id);
      await listener.waitFor(forwardOf(body.id as number));
    }
    expect((await listener.stop()).code).toBe(0);
    expect(app.requests.map((r) => JSON.parse(r.body.toString("utf8")).event)).toEqual(["income.added", "paystubs.added"]);
    expect((listener.lines() as Line[]).filter((line) => line.type === "request").map((line) => line.id)).toEqual(ids);
  });
});
