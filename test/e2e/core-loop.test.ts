/**
 * The core loop, end to end, through the BUILT binary (npm run build first):
 * listen (port 0, temp PINWHEEL_HOME) <- simulate / raw HTTP clients; then events list/show.
 */
import { randomUUID } from "node:crypto";
import { createServer, type Server } from "node:net";
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { request } from "undici";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { buildEvent } from "../../src/events/build.js";
import { EVENT_NAMES } from "../../src/events/catalog.js";
import { signWebhook, verifyWebhook } from "../../src/signing.js";
import { runCli, startListen, tempHome, type CliResult, type Listener, type TempHome } from "../helpers/cli.js";
import { closedPort } from "../helpers/delivery-cli.js";
import { useRecordingServers } from "../helpers/servers.js";

const SECRET = "e2e-core-loop-secret";

/** A stored request as events list --json / events show --json print it (src/output/requests.ts). */
interface RequestRow {
  id: number;
  event_id: string | null;
  event: string | null;
  method: string;
  path: string;
  verified: boolean;
  verification: string;
  verification_detail: string | null;
  duplicate: boolean;
  status_code: number;
  rejection: string | null;
  body_size: number;
}

function describeRun(result: CliResult): string {
  return `exit ${result.code}${result.timedOut ? " (timed out)" : ""}\nstdout: ${result.stdout}\nstderr: ${result.stderr}`;
}

function expectExit(result: CliResult, code: number): void {
  expect(result.code, describeRun(result)).toBe(code);
}

/** Exactly one non-empty stderr line, and nothing that looks like a stack trace. */
function expectOneLineError(stderr: string): string {
  const lines = stderr.split("\n").filter((line) => line.trim() !== "");
  expect(lines, `stderr: ${stderr}`).toHaveLength(1);
  expect(stderr).not.toMatch(/^\s+at /m);
  expect(stderr).not.toMatch(/node:internal|\.js:\d+/);
  return lines[0]!;
}

/** Runs fn over items with at most `limit` in flight. */
async function mapLimit<T, R>(items: readonly T[], limit: number, fn: (item: T) => Promise<R>): Promise<R[]> {
  const results: R[] = new Array(items.length);
  let next = 0;
  const workers = Array.from({ length: Math.min(limit, items.length) }, async () => {
    while (next < items.length) {
      const index = next++;
      results[index] = await fn(items[index]!);
    }
  });
  await Promise.all(workers);
  return results;
}

async function eventsList(env: NodeJS.ProcessEnv): Promise<RequestRow[]> {
  const result = await runCli(["events", "list", "--json", "--limit", "100"], { env });
  expectExit(result, 0);
  return JSON.parse(result.stdout) as RequestRow[];
}

async function eventsShow(env: NodeJS.ProcessEnv, reference: string | number): Promise<RequestRow & { body: string }> {
  const result = await runCli(["events", "show", String(reference), "--json"], { env });
  expectExit(result, 0);
  return JSON.parse(result.stdout) as RequestRow & { body: string };
}

describe("simulate every catalog event into listen", () => {
  let home: TempHome;
  let listener: Listener | undefined;

  beforeAll(async () => {
    home = tempHome();
    listener = await startListen(["--secret", SECRET], home.env);
  });
  afterAll(async () => {
    await listener?.stop("SIGKILL");
    home.cleanup();
  });

  it("delivers, verifies and stores all of them", async () => {
    const target = listener!;
    const runs = await mapLimit(EVENT_NAMES, 4, async (name) => {
      const result = await runCli(["simulate", name, "--to", target.url, "--secret", SECRET, "--json"], { env: home.env });
      return { name, result };
    });
    const sent = new Map<string, string>(); // event_id -> event
    for (const { name, result } of runs) {
      expect(result.code, `simulate ${name}: ${describeRun(result)}`).toBe(0);
      const [attempt, ...rest] = result.stdout.trim().split("\n").map((line) => JSON.parse(line) as Record<string, unknown>);
      expect(attempt).toMatchObject({ type: "attempt", event: name, ok: true, status_code: 200 });
      expect(rest, name).toEqual([{ type: "summary", sent: 1, ok: 1, failed: 0, not_sent: 0 }]);
      sent.set(attempt!.event_id as string, name);
    }
    expect(sent.size).toBe(EVENT_NAMES.length);

    const rows = await eventsList(home.env);
    expect(rows).toHaveLength(EVENT_NAMES.length);
    expect(new Set(rows.map((row) => row.event_id)).size).toBe(EVENT_NAMES.length);
    expect(new Set(rows.map((row) => row.event))).toEqual(new Set(EVENT_NAMES));
    for (const row of rows) {
      expect(row, JSON.stringify(row)).toMatchObject({
        method: "POST",
        verified: true,
        verification: "verified",
        status_code: 200,
        duplicate: false,
      });
      expect(sent.get(row.event_id!), `row ${row.id} was not sent by simulate`).toBe(row.event);
    }

    // listen --json showed each request as it was stored.
    await target.waitFor(() => target.lines().length >= EVENT_NAMES.length);
    const shown = target.lines() as Record<string, unknown>[];
    expect(shown.every((line) => line.type === "request" && line.verified === true)).toBe(true);
    expect(new Set(shown.map((line) => line.event_id))).toEqual(new Set(sent.keys()));
  }, 150_000); // 34 CLI start-ups (every subscribable event) on two cores: about 17 s alone, over 80 s on a shared, loaded machine.
});

describe("listen answers and stores what a raw client sends", () => {
  let home: TempHome;
  let listener: Listener | undefined;

  beforeAll(async () => {
    home = tempHome();
    listener = await startListen(["--secret", SECRET], home.env);
  });
  afterAll(async () => {
    await listener?.stop("SIGKILL");
    home.cleanup();
  });

  function envelopeText(): { body: string; eventId: string } {
    const envelope = buildEvent("paystubs.fully_synced");
    return { body: JSON.stringify(envelope), eventId: envelope.event_id };
  }

  async function post(body: string, headers: Record<string, string>) {
    const response = await request(listener!.url, { method: "POST", body, headers: { "content-type": "application/json", ...headers } });
    const answer = (await response.body.json()) as Record<string, unknown>;
    return { status: response.statusCode, headers: response.headers, answer };
  }

  function signed(body: string, secret = SECRET, timestamp = Math.floor(Date.now() / 1000)): Record<string, string> {
    return { "x-pinwheel-signature": signWebhook(secret, timestamp, body), "x-timestamp": String(timestamp) };
  }

  it("refuses a tampered body with 401 bad_signature and stores it", async () => {
    const { body, eventId } = envelopeText();
    const headers = signed(body);
    const tampered = body.replace('"outcome":"success"', '"outcome":"successs"');
    expect(tampered).not.toBe(body);
    const { status, answer } = await post(tampered, headers);
    expect(status).toBe(401);
    expect(answer).toMatchObject({ error: "bad_signature" });
    const row = await eventsShow(home.env, answer.id as number);
    expect(row).toMatchObject({ event_id: eventId, verified: false, verification: "bad_signature", status_code: 401, duplicate: false });
    expect(row.body).toBe(tampered);
  });

  it("refuses a body signed with another secret with 401 bad_signature", async () => {
    const { body, eventId } = envelopeText();
    const { status, answer } = await post(body, signed(body, "not-the-secret"));
    expect(status).toBe(401);
    expect(answer).toMatchObject({ error: "bad_signature" });
    const row = await eventsShow(home.env, answer.id as number);
    expect(row).toMatchObject({ event_id: eventId, verified: false, verification: "bad_signature", status_code: 401 });
  });

  it("refuses a stale timestamp with 401 stale_timestamp", async () => {
    const { body } = envelopeText();
    const { status, answer } = await post(body, signed(body, SECRET, Math.floor(Date.now() / 1000) - 3600));
    expect(status).toBe(401);
    expect(answer).toMatchObject({ error: "stale_timestamp" });
    expect(answer.message).toMatch(/old/);
    const row = await eventsShow(home.env, answer.id as number);
    expect(row).toMatchObject({ verified: false, verification: "stale_timestamp", status_code: 401 });
    expect(row.verification_detail).toMatch(/old/);
  });

  it("refuses a request without a signature with 401 missing_signature", async () => {
    const { body } = envelopeText();
    const { status, answer } = await post(body, { "x-timestamp": String(Math.floor(Date.now() / 1000)) });
    expect(status).toBe(401);
    expect(answer).toMatchObject({ error: "missing_signature" });
    const row = await eventsShow(home.env, answer.id as number);
    expect(row).toMatchObject({ verified: false, verification: "missing_signature", status_code: 401 });
  });

  it("answers correctly signed invalid JSON with 400 and stores it as verified", async () => {
    const body = '{"event": "paystubs.added", "event_id": ';
    const { status, answer } = await post(body, signed(body));
    expect(status).toBe(400);
    expect(answer).toMatchObject({ error: "invalid_json" });
    const row = await eventsShow(home.env, answer.id as number);
    expect(row).toMatchObject({ verified: true, verification: "verified", status_code: 400, event_id: null });
    expect(row.rejection).toMatch(/not valid JSON/);
    expect(row.body).toBe(body);
  });

  it("accepts the same event_id twice and marks the second a duplicate", async () => {
    const { body, eventId } = envelopeText();
    const first = await post(body, signed(body));
    const second = await post(body, signed(body));
    expect(first.status).toBe(200);
    expect(second.status).toBe(200);
    expect(first.answer).toMatchObject({ received: true, event_id: eventId, duplicate: false });
    expect(second.answer).toMatchObject({ received: true, event_id: eventId, duplicate: true });
    const rows = (await eventsList(home.env)).filter((row) => row.event_id === eventId && row.verified);
    expect(rows.map((row) => [row.id, row.duplicate, row.status_code])).toEqual([
      [second.answer.id, true, 200],
      [first.answer.id, false, 200],
    ]);
    // events show <event_id> gives the newest request carrying it.
    expect(await eventsShow(home.env, eventId)).toMatchObject({ id: second.answer.id, duplicate: true });
  });

  it("answers a GET with 405 and stores it", async () => {
    const response = await request(`${listener!.url}health?x=1`, { method: "GET" });
    const answer = (await response.body.json()) as Record<string, unknown>;
    expect(response.statusCode).toBe(405);
    expect(response.headers.allow).toBe("POST");
    expect(answer).toMatchObject({ error: "method_not_allowed" });
    const row = await eventsShow(home.env, answer.id as number);
    expect(row).toMatchObject({ method: "GET", path: "/health?x=1", status_code: 405, verified: false, event: null });
    expect(row.rejection).toMatch(/GET/);
  });
});

describe("simulate's exit code follows the endpoint's answer", () => {
  let home: TempHome;
  const recordingServer = useRecordingServers();

  beforeAll(() => {
    home = tempHome();
  });
  afterAll(() => home.cleanup());

  it("exits 0 on a 200, having sent a correctly signed delivery", async () => {
    const server = await recordingServer();
    const result = await runCli(["simulate", "income.added", "--to", `${server.url}hooks/pinwheel`, "--secret", SECRET], { env: home.env });
    expectExit(result, 0);
    expect(server.requests).toHaveLength(1);
    const [delivery] = server.requests;
    expect(delivery).toMatchObject({ method: "POST", url: "/hooks/pinwheel" });
    expect(delivery!.headers["content-type"]).toBe("application/json");
    expect(delivery!.headers["x-pinwheel-webhook-id"]).toMatch(/^[0-9a-f-]{36}$/);
    expect(verifyWebhook({ secret: SECRET, headers: delivery!.headers, rawBody: delivery!.body })).toMatchObject({ ok: true });
    expect(JSON.parse(delivery!.body.toString("utf8"))).toMatchObject({ event: "income.added" });
  });

  it("exits 1 on a 500", async () => {
    const server = await recordingServer(() => ({ status: 500 }));
    const result = await runCli(["simulate", "income.added", "--to", server.url, "--secret", SECRET], { env: home.env });
    expectExit(result, 1);
    expect(server.requests).toHaveLength(1);
    expect(expectOneLineError(result.stderr)).toMatch(/^error: 1 of 1 deliveries failed/);
  });

  it("exits 1 with a one-line error when the connection is refused", async () => {
    const port = await closedPort();
    const result = await runCli(["simulate", "income.added", "--to", `http://127.0.0.1:${port}/`, "--secret", SECRET], { env: home.env });
    expectExit(result, 1);
    expect(expectOneLineError(result.stderr)).toMatch(new RegExp(`^error: .*nothing is listening at http://127\\.0\\.0\\.1:${port}/`));
  });

  it("a 401 says the receiver refused the signature and where the secret comes from", async () => {
    const server = await recordingServer(() => ({ status: 401 }));
    const result = await runCli(["simulate", "income.added", "--to", server.url, "--secret", SECRET], { env: home.env });
    expectExit(result, 1);
    expect(expectOneLineError(result.stderr)).toMatch(/^error: 1 of 1 deliveries failed; the receiver refused the signature .*--secret and PINWHEEL_API_SECRET/);
  });

  it("https:// to a plain HTTP server is named as such, not as OpenSSL's text", async () => {
    const server = await recordingServer(() => ({ status: 200 }));
    const result = await runCli(["simulate", "income.added", "--to", server.url.replace("http://", "https://"), "--secret", SECRET], { env: home.env });
    expectExit(result, 1);
    expect(result.stdout).toMatch(/the server did not answer TLS; it probably speaks plain HTTP \(use http:\/\/\)/);
    expect(result.stdout + result.stderr).not.toMatch(/ssl3_record|openssl/i);
  });
});

describe("usage errors exit 2 with one line and no stack trace", () => {
  let home: TempHome;
  beforeAll(() => {
    home = tempHome();
  });
  afterAll(() => home.cleanup());

  it("options that would be silently ignored, and a webhook id that is not a UUID, are refused", async () => {
    const cases: [string[], RegExp][] = [
      [["simulate", "income.added", "--speed", "5"], /--speed scales a scenario's delays; it goes with --scenario/],
      [["simulate", "--data", "-", "--count", "3"], /--count sends distinct events, but a --data body has one event_id; use --duplicate <n>/],
      [["listen", "--port", "0", "--forward-secret", "abc"], /--forward-secret needs --forward-to <url>/],
      [["simulate", "income.added", "--to", "http://127.0.0.1:9/", "--pause-after", "1s"], /--pause-after applies to the fan-out to local webhooks/],
      [["simulate", "--duplicate", "income.added"], /expected a count from 1 to 1000; to send one duplicate, name the event first: simulate income\.added --duplicate/],
      [["simulate", "income.added", "--webhook-id", "nope"], /option '--webhook-id <uuid>' argument 'nope' is invalid\. expected a UUID/],
    ];
    for (const [args, message] of cases) {
      const result = await runCli(args, { env: home.env });
      expectExit(result, 2);
      expect(expectOneLineError(result.stderr), args.join(" ")).toMatch(message);
    }
  });

  it("an unknown event suggests the nearest name", async () => {
    const result = await runCli(["simulate", "paystubs.fuly_synced"], { env: home.env });
    expectExit(result, 2);
    expect(expectOneLineError(result.stderr)).toContain('did you mean "paystubs.fully_synced"');
    expect(result.stdout).toBe("");
  });

  it("--port abc", async () => {
    const result = await runCli(["listen", "--port", "abc"], { env: home.env });
    expectExit(result, 2);
    expect(result.stdout).toBe("");
    expect(expectOneLineError(result.stderr)).toMatch(/port.*abc/);
  });

  it("--set on a field the fixture lacks names the nearest path", async () => {
    const result = await runCli(["simulate", "paystubs.added", "--set", "payload.params.cnt=3"], { env: home.env });
    expectExit(result, 2);
    expect(result.stdout).toBe("");
    expect(expectOneLineError(result.stderr)).toContain("payload.params.count");
  });
});

describe("listen's lifecycle", () => {
  let home: TempHome;
  let listener: Listener | undefined;
  let blocker: Server | undefined;

  beforeAll(() => {
    home = tempHome();
  });
  afterEach(async () => {
    await listener?.stop("SIGKILL");
    listener = undefined;
    await new Promise<void>((resolve) => (blocker ? blocker.close(() => resolve()) : resolve()));
    blocker = undefined;
  });
  afterAll(() => home.cleanup());

  it("--json prints nothing but JSON lines on stdout, and SIGTERM exits 0", async () => {
    listener = await startListen(["--secret", SECRET], home.env);
    const target = listener;
    const sent = await runCli(["simulate", "account.added", "--to", target.url, "--secret", SECRET], { env: home.env });
    expectExit(sent, 0);
    await target.waitFor((line) => (line as { type?: string }).type === "request");
    const response = await request(target.url, { method: "PUT", body: "not json" });
    await response.body.dump();
    expect(response.statusCode).toBe(405);
    await target.waitFor((line) => (line as { method?: string }).method === "PUT");

    const { code, stderr } = await target.stop("SIGTERM");
    expect(code, `stderr: ${stderr}`).toBe(0);
    const stdout = target.stdout();
    expect(stdout.endsWith("\n")).toBe(true);
    const lines = stdout.slice(0, -1).split("\n");
    expect(lines).toHaveLength(4);
    const parsed = lines.map((line) => JSON.parse(line) as Record<string, unknown>);
    expect(parsed.map((line) => line.type)).toEqual(["ready", "request", "request", "stopped"]);
    expect(parsed[3]).toMatchObject({ stored: 2, db: parsed[0]!.db });
    expect(parsed[0]).toMatchObject({ type: "ready", url: target.url, port: target.port });
    expect(parsed[1]).toMatchObject({ event: "account.added", verified: true, status_code: 200 });
    expect(parsed[2]).toMatchObject({ method: "PUT", status_code: 405 });
  });

  it("exits 1 with one line naming the port when the port is in use", async () => {
    const server = createServer();
    blocker = server;
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    const { port } = server.address() as { port: number };
    const result = await runCli(["listen", "--port", String(port), "--secret", SECRET], { env: home.env, timeoutMs: 10_000 });
    expectExit(result, 1);
    expect(expectOneLineError(result.stderr)).toContain(String(port));
  });
});

describe("the secret passed with --secret is never revealed", () => {
  const CANARY = `canary-secret-${randomUUID()}-do-not-leak`;
  let home: TempHome;
  let listener: Listener | undefined;

  beforeAll(() => {
    home = tempHome();
  });
  afterAll(async () => {
    await listener?.stop("SIGKILL");
    home.cleanup();
  });

  /** Every file under the data directory, raw bytes (events.db, -wal, -shm). */
  function dataFiles(): Map<string, Buffer> {
    const dir = join(home.home, "data");
    return new Map(readdirSync(dir).map((name) => [name, readFileSync(join(dir, name))]));
  }

  function expectNoCanary(where: string, bytes: string | Buffer): void {
    const buffer = typeof bytes === "string" ? Buffer.from(bytes, "utf8") : bytes;
    expect(buffer.includes(CANARY), `the secret appears in ${where}`).toBe(false);
    // Not even a recognisable part of it.
    expect(buffer.includes(CANARY.slice(0, 20)), `part of the secret appears in ${where}`).toBe(false);
  }

  it("not in stdout, stderr or the database files", { timeout: 60_000 }, async () => {
    listener = await startListen(["--secret", CANARY], home.env);
    const target = listener;
    const outputs: [string, string][] = [];
    const collect = (label: string, result: CliResult) => {
      outputs.push([`${label} stdout`, result.stdout], [`${label} stderr`, result.stderr]);
      return result;
    };

    const port = await closedPort();
    const simulate = (args: string[]) => runCli(["simulate", ...args], { env: home.env });
    // Independent runs, in parallel to keep the file fast; a rejected delivery and a refused one are recorded too.
    const [plain, json, wrongSecret, refused] = await Promise.all([
      simulate(["paystubs.added", "--to", target.url, "--secret", CANARY, "--duplicate"]),
      simulate(["income.added", "--to", target.url, "--secret", CANARY, "--json"]),
      simulate(["identity.added", "--to", target.url, "--secret", "other-secret"]),
      simulate(["identity.added", "--to", `http://127.0.0.1:${port}/`, "--secret", CANARY]),
    ]);
    expectExit(collect("simulate", plain), 0);
    expectExit(collect("simulate --json", json), 0);
    expectExit(collect("simulate with another secret", wrongSecret), 1);
    expectExit(collect("simulate to a closed port", refused), 1);
    await target.waitFor(() => target.lines().length >= 4);

    const rows = await eventsList(home.env);
    expect(rows).toHaveLength(4);
    expect(rows.filter((row) => row.verification === "bad_signature")).toHaveLength(1);
    const shows = await Promise.all(
      rows.flatMap((row) => [
        runCli(["events", "show", String(row.id), "--json"], { env: home.env }).then((r) => collect(`events show ${row.id} --json`, r)),
        runCli(["events", "show", String(row.id)], { env: home.env }).then((r) => collect(`events show ${row.id}`, r)),
      ]),
    );
    for (const shown of shows) expectExit(shown, 0);
    expectExit(collect("events list", await runCli(["events", "list"], { env: home.env })), 0);

    // While listen runs the WAL holds the newest pages; read everything raw.
    const whileRunning = dataFiles();
    expect([...whileRunning.keys()]).toContain("events.db");

    const stopped = await target.stop("SIGTERM");
    expect(stopped.code).toBe(0);
    outputs.push(["listen stdout", target.stdout()], ["listen stderr", stopped.stderr]);

    for (const [where, text] of outputs) expectNoCanary(where, text);
    // The scan reads the real store: the stored rows' event_ids are in these bytes.
    const everything = Buffer.concat([...whileRunning.values()]);
    for (const row of rows) expect(everything.includes(row.event_id!), `event_id ${row.event_id} not found in the data files`).toBe(true);
    for (const [name, bytes] of whileRunning) expectNoCanary(`${name} (while listening)`, bytes);
    for (const [name, bytes] of dataFiles()) expectNoCanary(`${name} (after stop)`, bytes);
  });
});
