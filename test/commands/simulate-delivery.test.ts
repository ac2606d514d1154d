/**
 * simulate's delivery behaviour through the BUILT binary (npm run build first): Pinwheel's
 * retry policy compressed with --retry-base, timeouts, --duplicate, --pending, --count, and
 * every attempt recorded in the deliveries table.
 */
import { randomUUID } from "node:crypto";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { buildEvent } from "../../src/events/build.js";
import { verifyWebhook } from "../../src/signing.js";
import { runCli, startListen, tempHome, type Listener, type TempHome } from "../helpers/cli.js";
import { attemptRecords, closedPort, deliveriesList, expectExit, expectOneLineError, ndjson } from "../helpers/delivery-cli.js";
import { useRecordingServers, type RecordedRequest, type ResponseScript } from "../helpers/servers.js";

const SECRET = "simulate-delivery-secret";
/** --retry-base 20 compresses Pinwheel's 15-minute window to 600 ms. */
const WINDOW_MS = 600;

let home: TempHome;

beforeAll(() => {
  home = tempHome();
});
afterAll(() => home.cleanup());

const server = useRecordingServers();

function statuses(...codes: number[]): ResponseScript {
  return (index) => ({ status: codes[Math.min(index, codes.length - 1)]! });
}

function simulate(args: string[], timeoutMs?: number) {
  return runCli(["simulate", ...args, "--secret", SECRET], { env: home.env, timeoutMs });
}

interface Envelope {
  event: string;
  event_id: string;
  payload: Record<string, unknown>;
}

function envelope(request: RecordedRequest): Envelope {
  return JSON.parse(request.body.toString("utf8")) as Envelope;
}

function expectSigned(request: RecordedRequest): void {
  expect(verifyWebhook({ secret: SECRET, headers: request.headers, rawBody: request.body })).toMatchObject({ ok: true });
  const sentAt = Number(request.headers["x-timestamp"]);
  // A fresh timestamp in seconds, not milliseconds, taken when the attempt was made.
  expect(Math.abs(sentAt - request.receivedAt / 1000)).toBeLessThan(3);
}

describe("simulate --retry", () => {
  it("500, 503, then 200: exactly 3 attempts, each correctly signed, with the same event_id and body", async () => {
    const target = await server(statuses(500, 503, 200));
    const result = await simulate(["income.added", "--to", target.url, "--retry", "--retry-base", "20", "--json"]);
    expectExit(result, 0);
    expect(target.requests).toHaveLength(3);
    const [first] = target.requests;
    const eventId = envelope(first!).event_id;
    for (const request of target.requests) {
      expectSigned(request);
      expect(request.body.equals(first!.body)).toBe(true);
      expect(envelope(request)).toMatchObject({ event: "income.added", event_id: eventId });
      expect(request.headers["x-pinwheel-webhook-id"]).toBe(first!.headers["x-pinwheel-webhook-id"]);
    }

    const lines = attemptRecords(result.stdout);
    expect(lines.map((line) => [line.type, line.attempt, line.status_code, line.ok, line.event_id])).toEqual([
      ["attempt", 1, 500, false, eventId],
      ["attempt", 2, 503, false, eventId],
      ["attempt", 3, 200, true, eventId],
    ]);

    const rows = await deliveriesList(home.env, ["--event-id", eventId]);
    expect(rows.map((row) => [row.attempt, row.status_code, row.source, row.event, row.url])).toEqual([
      [1, 500, "simulate", "income.added", target.url],
      [2, 503, "simulate", "income.added", target.url],
      [3, 200, "simulate", "income.added", target.url],
    ]);
    expect(new Set(rows.map((row) => row.delivery_id)).size).toBe(1);
    expect(rows[0]!.response_body).toBe('{"recorded":0}');
  });

  it("a receiver that always answers 500 gets 6 attempts within the window, and simulate exits 1", async () => {
    const target = await server(statuses(500));
    const result = await simulate(["paystubs.added", "--to", target.url, "--retry", "--retry-base", "20"]);
    expectExit(result, 1);
    expect(target.requests).toHaveLength(6);
    const eventIds = new Set(target.requests.map((request) => envelope(request).event_id));
    expect(eventIds.size).toBe(1);
    for (const request of target.requests) expectSigned(request);
    // The waits it announced fit the compressed window (the schedule itself is pinned on an injected clock in retry-policy.test).
    const waits = [...result.stderr.matchAll(/retrying in (\d+) ms \(attempt (\d) of 6\)/g)].map((match) => [Number(match[2]), Number(match[1])]);
    expect(waits.map(([attempt]) => attempt)).toEqual([2, 3, 4, 5, 6]);
    expect(waits.reduce((sum, [, ms]) => sum + ms!, 0)).toBeLessThanOrEqual(WINDOW_MS);
    expect(result.stderr).toMatch(/attempt 6 of 6/);
    expect(result.stderr.split("\n").filter((line) => line.startsWith("error:"))).toEqual([
      "error: 1 of 1 deliveries failed",
    ]);
    const rows = await deliveriesList(home.env, ["--event-id", [...eventIds][0]!]);
    expect(rows.map((row) => [row.attempt, row.status_code])).toEqual([1, 2, 3, 4, 5, 6].map((n) => [n, 500]));
  });

  it("a 404 is final: one attempt, exit 1", async () => {
    const target = await server(statuses(404, 200));
    const result = await simulate(["income.added", "--to", target.url, "--retry", "--retry-base", "5", "--json"]);
    expectExit(result, 1);
    expect(target.requests).toHaveLength(1);
    expect(ndjson(result.stdout)).toEqual([
      expect.objectContaining({ type: "attempt", attempt: 1, status_code: 404, ok: false }),
      // The last line counts the run, as replay's does: a CI script reads one line, not every attempt.
      { type: "summary", sent: 1, ok: 0, failed: 1, not_sent: 0 },
    ]);
    expect(expectOneLineError(result.stderr)).toBe(`error: 1 of 1 deliveries failed; nothing at ${target.url} takes the POST (is that path your webhook route?)`);
  });

  it("--retry-base alone implies --retry", async () => {
    const target = await server(statuses(503, 200));
    const result = await simulate(["income.added", "--to", target.url, "--retry-base", "5"]);
    expectExit(result, 0);
    expect(target.requests).toHaveLength(2);
  });

  it("without --retry, a 500 gets one attempt", async () => {
    const target = await server(statuses(500, 200));
    const result = await simulate(["income.added", "--to", target.url, "--json"]);
    expectExit(result, 1);
    expect(target.requests).toHaveLength(1);
    const rows = await deliveriesList(home.env, ["--event-id", envelope(target.requests[0]!).event_id]);
    expect(rows.map((row) => [row.attempt, row.status_code])).toEqual([[1, 500]]);
  });

  it("retries a refused connection (a network error) 5 more times", async () => {
    const port = await closedPort();
    const url = `http://127.0.0.1:${port}/`;
    const result = await simulate(["identity.added", "--to", url, "--retry", "--retry-base", "5", "--json"]);
    expectExit(result, 1);
    const lines = attemptRecords(result.stdout);
    expect(lines.map((line) => line.attempt)).toEqual([1, 2, 3, 4, 5, 6]);
    for (const line of lines) expect(line).toMatchObject({ ok: false, status_code: null, error: expect.stringMatching(/ECONNREFUSED/) });
    const rows = await deliveriesList(home.env, ["--event-id", lines[0]!.event_id as string]);
    expect(rows).toHaveLength(6);
    expect(rows.every((row) => row.status_code === null && /ECONNREFUSED/.test(row.error ?? ""))).toBe(true);
  });
});

describe("simulate --timeout", () => {
  it("a receiver that never answers within --timeout is a failure, recorded as such", async () => {
    const target = await server(() => ({ status: 200, delayMs: 10_000 }));
    const result = await simulate(["income.added", "--to", target.url, "--timeout", "300", "--json"]);
    expectExit(result, 1);
    expect(target.requests).toHaveLength(1);
    const [line] = attemptRecords(result.stdout);
    expect(line).toMatchObject({ attempt: 1, ok: false, status_code: null, error: "no answer within 300 ms" });
    const rows = await deliveriesList(home.env, ["--event-id", line!.event_id as string]);
    expect(rows).toEqual([expect.objectContaining({ attempt: 1, status_code: null, error: "no answer within 300 ms" })]);
  });

  it("with --retry, a timeout is retried within the compressed window", async () => {
    const target = await server(() => ({ status: 200, delayMs: 10_000 }));
    // The 600 ms window bounds the waits; each of the 6 attempts also takes its 200 ms timeout.
    const result = await simulate(["income.added", "--to", target.url, "--timeout", "200", "--retry", "--retry-base", "20", "--json"]);
    expectExit(result, 1);
    const lines = attemptRecords(result.stdout);
    expect(lines, result.stdout).toHaveLength(6);
    for (const line of lines) expect(line).toMatchObject({ ok: false, status_code: null, error: "no answer within 200 ms" });
    expect(target.requests).toHaveLength(6);
  });
});

describe("simulate --duplicate", () => {
  it("sends the same event (same event_id, same bytes) once more, each copy freshly signed", async () => {
    const target = await server();
    const result = await simulate(["paystubs.fully_synced", "--to", target.url, "--duplicate"]);
    expectExit(result, 0);
    expect(target.requests).toHaveLength(2);
    const [first, second] = target.requests;
    expect(second!.body.equals(first!.body)).toBe(true);
    expect(envelope(second!).event_id).toBe(envelope(first!).event_id);
    for (const request of target.requests) expectSigned(request);
  });

  it("--duplicate 3 sends 3 more copies, in order, and records 4 deliveries", async () => {
    const target = await server();
    const result = await simulate(["income.added", "--to", target.url, "--duplicate", "3", "--json"]);
    expectExit(result, 0);
    expect(target.requests).toHaveLength(4);
    expect(new Set(target.requests.map((request) => request.body.toString("base64"))).size).toBe(1);
    const eventId = envelope(target.requests[0]!).event_id;
    const rows = await deliveriesList(home.env, ["--event-id", eventId]);
    expect(rows).toHaveLength(4);
    expect(new Set(rows.map((row) => row.delivery_id)).size).toBe(4);
    expect(rows.every((row) => row.attempt === 1 && row.status_code === 200)).toBe(true);
  });

  it("refuses --duplicate 0 with a usage error", async () => {
    const result = await simulate(["income.added", "--to", "http://127.0.0.1:9/", "--duplicate", "0"]);
    expectExit(result, 2);
    expect(expectOneLineError(result.stderr)).toMatch(/duplicate/);
  });
});

describe("simulate --pending", () => {
  it("sends the job pending, then the same job (same payload.id) with success under a new event_id", async () => {
    const target = await server();
    const result = await simulate(["income.added", "--to", target.url, "--pending"]);
    expectExit(result, 0);
    expect(target.requests).toHaveLength(2);
    const [pending, settled] = target.requests.map(envelope);
    expect(pending).toMatchObject({ event: "income.added", payload: { outcome: "pending" } });
    expect(settled).toMatchObject({ event: "income.added", payload: { outcome: "success", id: pending!.payload.id } });
    expect(settled!.event_id).not.toBe(pending!.event_id);
    expect(settled!.payload).not.toHaveProperty("error_code");
    expect(settled!.payload.account_id).toBe(pending!.payload.account_id);
    for (const request of target.requests) expectSigned(request);
  });

  it("--outcome error makes the result an error with error_code and error_type", async () => {
    const target = await server();
    const result = await simulate(["paystubs.added", "--to", target.url, "--pending", "--outcome", "error"]);
    expectExit(result, 0);
    const [pending, settled] = target.requests.map(envelope);
    expect(pending!.payload.outcome).toBe("pending");
    expect(pending!.payload).not.toHaveProperty("error_code");
    expect(settled!.payload).toMatchObject({ outcome: "error", id: pending!.payload.id });
    expect(typeof settled!.payload.error_code).toBe("string");
    expect(typeof settled!.payload.error_type).toBe("string");
  });

  it("with --duplicate, the pending event is duplicated before the result arrives", async () => {
    const target = await server();
    const result = await simulate(["employment.added", "--to", target.url, "--pending", "--duplicate"]);
    expectExit(result, 0);
    const sent = target.requests.map(envelope);
    expect(sent.map((e) => e.payload.outcome)).toEqual(["pending", "pending", "success"]);
    expect(sent[1]!.event_id).toBe(sent[0]!.event_id);
    expect(sent[2]!.event_id).not.toBe(sent[0]!.event_id);
    expect(new Set(sent.map((e) => e.payload.id)).size).toBe(1);
  });

  it("refuses --pending for an event that is not a job, and --pending with --outcome pending", async () => {
    const notJob = await simulate(["account.added", "--to", "http://127.0.0.1:9/", "--pending"]);
    expectExit(notJob, 2);
    expect(expectOneLineError(notJob.stderr)).toMatch(/account\.added is not a job event/);
    const both = await simulate(["income.added", "--to", "http://127.0.0.1:9/", "--pending", "--outcome", "pending"]);
    expectExit(both, 2);
    expect(expectOneLineError(both.stderr)).toMatch(/--pending/);
  });
});

describe("simulate --data with delivery flags", () => {
  it("sends the file's bytes as they are, duplicated with --duplicate", async () => {
    const target = await server();
    const file = join(home.home, "custom-body.json");
    const bytes = Buffer.from(`{"event":"income.added", "event_id":"${randomUUID()}",\n "payload": {"note": "caf\u00e9"}}  `);
    writeFileSync(file, bytes);
    const result = await simulate(["--data", file, "--to", target.url, "--duplicate"]);
    expectExit(result, 0);
    expect(target.requests).toHaveLength(2);
    for (const request of target.requests) {
      expect(request.body.equals(bytes)).toBe(true);
      expectSigned(request);
    }
  });

  it("a 4XX says what was refused: the --data body, or a signed catalog event that Pinwheel would not send again", async () => {
    const target = await server(statuses(400, 422));
    const file = join(home.home, "refused-body.json");
    writeFileSync(file, JSON.stringify(buildEvent("income.added")));
    const refusedData = await simulate(["--data", file, "--to", target.url]);
    expectExit(refusedData, 1);
    expect(expectOneLineError(refusedData.stderr)).toBe(
      "error: 1 of 1 deliveries failed; the app refused your --data body (Pinwheel never retries a 4XX, so a genuine event answered 400 is lost)",
    );
    const refusedEvent = await simulate(["income.added", "--to", target.url]);
    expectExit(refusedEvent, 1);
    expect(expectOneLineError(refusedEvent.stderr)).toMatch(/^error: 1 of 1 deliveries failed; the app refused a signed event \(Pinwheel never retries a 4XX, so a genuine event answered 422 is lost: /);
  });

  it("--pending with --data is refused or honoured, never silently ignored", async () => {
    const target = await server();
    const file = join(home.home, "pending-body.json");
    writeFileSync(file, JSON.stringify(buildEvent("income.added")));
    const result = await simulate(["--data", file, "--pending", "--to", target.url]);
    if (result.code === 2) {
      expect(expectOneLineError(result.stderr)).toMatch(/--pending/);
      expect(target.requests).toHaveLength(0);
      return;
    }
    expectExit(result, 0);
    // Honoured: the pending job, then its result.
    expect(target.requests.map((request) => envelope(request).payload.outcome), "--pending was ignored").toEqual(["pending", "success"]);
  });
});

describe("simulate --count and --concurrency", () => {
  it("--count sends distinct events, at most --concurrency in flight", async () => {
    // Nothing is answered until four requests are in (or 5 s pass): with four in flight, all four arrive first.
    const slow = await server(() => ({ status: 200, holdUntil: 4, delayMs: 5_000 }));
    const parallel = await simulate(["income.added", "--to", slow.url, "--count", "4", "--concurrency", "4"]);
    expectExit(parallel, 0);
    expect(new Set(slow.requests.map((request) => envelope(request).event_id)).size).toBe(4);
    expect(slow.requests.map((request) => request.inFlight)).toEqual([1, 2, 3, 4]);

    const sequentialTarget = await server(() => ({ status: 200, delayMs: 100 }));
    const sequential = await simulate(["income.added", "--to", sequentialTarget.url, "--count", "3", "--concurrency", "1"]);
    expectExit(sequential, 0);
    expect(sequentialTarget.requests.map((request) => request.inFlight)).toEqual([1, 1, 1]);
  });
});

describe("simulate --count against an app that stops answering", () => {
  it("after three in a row get no answer, the rest are not sent: a hung app costs one timeout, not one per event", async () => {
    const hung = await server(() => ({ status: 200, delayMs: 10_000 }));
    const started = Date.now();
    const json = await simulate(["income.added", "--to", hung.url, "--count", "40", "--concurrency", "4", "--timeout", "200", "--json"]);
    expectExit(json, 1);
    const lines = attemptRecords(json.stdout);
    // The four in flight, and the few started before the third of them came back unanswered.
    expect(lines.length).toBeGreaterThanOrEqual(3);
    expect(lines.length).toBeLessThanOrEqual(8);
    for (const line of lines) expect(line).toMatchObject({ ok: false, status_code: null, error: "no answer within 200 ms" });
    expect(hung.requests).toHaveLength(lines.length);
    expect(ndjson(json.stdout).at(-1)).toEqual({ type: "summary", sent: lines.length, ok: 0, failed: lines.length, not_sent: 40 - lines.length });
    expect(expectOneLineError(json.stderr)).toBe(
      `error: ${lines.length} of ${lines.length} deliveries failed, and ${40 - lines.length} were not sent: 3 in a row got no answer within 200 ms (is the app stuck?)`,
    );
    // Before, all 40 waited out their timeout, four at a time.
    expect(Date.now() - started).toBeLessThan(5_000);
  });

  it("an answer between timeouts starts the count again: a slow spell is not a stuck app", async () => {
    const flaky = await server((index) => (index % 3 === 2 ? { status: 200 } : { status: 200, delayMs: 10_000 }));
    const result = await simulate(["income.added", "--to", flaky.url, "--count", "9", "--concurrency", "1", "--timeout", "200"]);
    expectExit(result, 1);
    expect(flaky.requests).toHaveLength(9);
    expect(expectOneLineError(result.stderr)).toBe("error: 6 of 9 deliveries failed");
  });
});

describe("attempts show up in events show for the event_id", () => {
  let listener: Listener | undefined;
  afterAll(async () => {
    await listener?.stop("SIGKILL");
  });

  it("a duplicated event is two deliveries of one event_id, both in events show --json", async () => {
    listener = await startListen(["--secret", SECRET], home.env);
    const result = await simulate(["shifts.added", "--to", listener.url, "--duplicate", "--json"]);
    expectExit(result, 0);
    const lines = attemptRecords(result.stdout);
    const eventId = lines[0]!.event_id as string;
    expect(lines.map((line) => line.event_id)).toEqual([eventId, eventId]);
    await listener.waitFor(() => listener!.lines().length >= 2);
    const shown = await runCli(["events", "show", eventId, "--json"], { env: home.env });
    expectExit(shown, 0);
    const row = JSON.parse(shown.stdout) as { duplicate: boolean; verified: boolean; deliveries: Record<string, unknown>[] };
    expect(row).toMatchObject({ duplicate: true, verified: true });
    expect(row.deliveries).toHaveLength(2);
    for (const delivery of row.deliveries) {
      expect(delivery).toMatchObject({ source: "simulate", event_id: eventId, attempt: 1, status_code: 200, url: listener.url });
    }
  });
});
