/**
 * replay through the BUILT binary: requests stored by a real `listen` are sent again to a
 * recording receiver, re-signed (fresh timestamp, same bytes) or exactly as recorded.
 */
import { spawn } from "node:child_process";
import { randomUUID } from "node:crypto";
import { request } from "undici";
import { afterAll, beforeAll, describe, expect, it, onTestFinished } from "vitest";
import { buildEvent } from "../../src/events/build.js";
import { signWebhook, verifyWebhook } from "../../src/signing.js";
import { CLI_PATH, REPO_ROOT, runCli, startListen, tempHome, type Listener, type TempHome } from "../helpers/cli.js";
import { deliveriesList, errorLines, expectExit, expectOneLineError, ndjson } from "../helpers/delivery-cli.js";
import { useRecordingServers, type RecordedRequest } from "../helpers/servers.js";
import { waitUntil } from "../helpers/wait.js";

const SECRET = "replay-test-secret";
const ACCOUNT_A = "acct-replay-a";
const ACCOUNT_B = "acct-replay-b";
const WEBHOOK_ID = randomUUID();

interface Original {
  id: number;
  eventId: string;
  event: string;
  body: Buffer;
  headers: Record<string, string>;
  status: number;
  receivedAt: string;
}

let home: TempHome;
let listener: Listener | undefined;
/** r1: odd whitespace and unicode, signed 2 minutes ago; r2: plain; r3: another event and account; r4: a bad signature. */
let r1: Original, r2: Original, r3: Original, r4: Original;

/**
 * A body no serializer would produce: odd spacing, CRLF, tabs, raw and escaped unicode, an
 * escaped slash. Re-serializing it would change its bytes, and so its signature.
 */
function oddBody(eventId: string): Buffer {
  const payload = buildEvent("income.added", { accountId: ACCOUNT_A }).payload;
  const text =
    `{ "event" :  "income.added",\n\t"event_id": "${eventId}" ,\r\n "payload": ${JSON.stringify(payload, null, 3)},\n` +
    ` "note": "caf\\u00e9 — café ☕ 𝄞 \\ud83d\\ude00 \\/ \\t"   }   \n`;
  return Buffer.from(text, "utf8");
}

async function post(event: string, body: Buffer, headers: Record<string, string>): Promise<Original> {
  const response = await request(listener!.url + "hooks/pinwheel", { method: "POST", body, headers });
  const answer = (await response.body.json()) as { id: number };
  // listen --json prints each stored request, received_at included.
  const line = (await listener!.waitFor((l) => (l as { id?: number }).id === answer.id)) as { event_id: string; received_at: string };
  return { id: answer.id, eventId: line.event_id, event, body, headers, status: response.statusCode, receivedAt: line.received_at };
}

function signed(body: Buffer, timestamp = Math.floor(Date.now() / 1000), secret = SECRET): Record<string, string> {
  return {
    "content-type": "application/json",
    "x-pinwheel-signature": signWebhook(secret, timestamp, body),
    "x-timestamp": String(timestamp),
    "x-pinwheel-webhook-id": WEBHOOK_ID,
    "x-request-source": "replay-test",
  };
}

beforeAll(async () => {
  home = tempHome();
  listener = await startListen(["--secret", SECRET], home.env);
  const oddId = randomUUID();
  const odd = oddBody(oddId);
  r1 = await post("income.added", odd, signed(odd, Math.floor(Date.now() / 1000) - 120));
  const plain = Buffer.from(JSON.stringify(buildEvent("income.added", { accountId: ACCOUNT_A })));
  r2 = await post("income.added", plain, signed(plain));
  const paystubs = Buffer.from(JSON.stringify(buildEvent("paystubs.added", { accountId: ACCOUNT_B })));
  r3 = await post("paystubs.added", paystubs, signed(paystubs));
  const forged = Buffer.from(JSON.stringify(buildEvent("identity.added", { accountId: ACCOUNT_B })));
  r4 = await post("identity.added", forged, signed(forged, undefined, "not-the-secret"));
  expect([r1.status, r2.status, r3.status, r4.status]).toEqual([200, 200, 200, 401]);
  expect(r1.eventId).toBe(oddId);
  // listen stored exactly the bytes sent.
  const shown = await runCli(["events", "show", String(r1.id), "--json"], { env: home.env });
  expectExit(shown, 0);
  expect(Buffer.from((JSON.parse(shown.stdout) as { body_base64: string }).body_base64, "base64").equals(odd)).toBe(true);
}, 30_000);
afterAll(async () => {
  await listener?.stop("SIGKILL");
  home?.cleanup();
});

const server = useRecordingServers();

function replay(args: string[]) {
  return runCli(["replay", ...args], { env: home.env });
}

function eventIdOf(received: RecordedRequest): string {
  return (JSON.parse(received.body.toString("utf8")) as { event_id: string }).event_id;
}

describe("replay, re-signed (the default)", () => {
  it("sends the stored body byte for byte with a fresh timestamp and a signature that verifies", async () => {
    // The odd body really would change if it were parsed and serialized again.
    expect(Buffer.from(JSON.stringify(JSON.parse(r1.body.toString("utf8")))).equals(r1.body)).toBe(false);
    const target = await server();
    const before = Math.floor(Date.now() / 1000);
    const result = await replay([String(r1.id), "--to", `${target.url}replayed`, "--secret", SECRET]);
    expectExit(result, 0);
    expect(target.requests).toHaveLength(1);
    const [received] = target.requests;
    expect(received!.url).toBe("/replayed");
    expect(received!.body.equals(r1.body)).toBe(true);
    expect(verifyWebhook({ secret: SECRET, headers: received!.headers, rawBody: received!.body })).toMatchObject({ ok: true });
    const timestamp = Number(received!.headers["x-timestamp"]);
    expect(timestamp).not.toBe(Number(r1.headers["x-timestamp"]));
    expect(timestamp).toBeGreaterThanOrEqual(before - 1);
    expect(received!.headers["x-pinwheel-signature"]).not.toBe(r1.headers["x-pinwheel-signature"]);
    expect(received!.headers["x-pinwheel-webhook-id"]).toBe(WEBHOOK_ID);
    expect(received!.headers["content-type"]).toBe("application/json");
    expect(result.stdout).toMatch(/200/);
  });

  it("re-signing with another secret gives a signature that only that secret verifies", async () => {
    const target = await server();
    const result = await replay([String(r2.id), "--to", target.url, "--secret", "a-rotated-secret"]);
    expectExit(result, 0);
    const [received] = target.requests;
    expect(verifyWebhook({ secret: "a-rotated-secret", headers: received!.headers, rawBody: received!.body })).toMatchObject({ ok: true });
    expect(verifyWebhook({ secret: SECRET, headers: received!.headers, rawBody: received!.body })).toMatchObject({ ok: false, reason: "bad_signature" });
  });

  it("takes ids and event_ids, in the order given", async () => {
    const target = await server();
    const result = await replay([String(r3.id), r1.eventId, String(r2.id), "--to", target.url, "--secret", SECRET, "--concurrency", "1"]);
    expectExit(result, 0);
    expect(target.requests.map(eventIdOf)).toEqual([r3.eventId, r1.eventId, r2.eventId]);
    expect(target.requests[1]!.body.equals(r1.body)).toBe(true);
  });
});

describe("replay --as-recorded", () => {
  it("sends the stored headers and body untouched: the original signature and x-timestamp", async () => {
    const target = await server();
    const result = await replay([String(r1.id), "--as-recorded", "--to", target.url]);
    expectExit(result, 0);
    const [received] = target.requests;
    expect(received!.body.equals(r1.body)).toBe(true);
    expect(received!.headers["x-pinwheel-signature"]).toBe(r1.headers["x-pinwheel-signature"]);
    expect(received!.headers["x-timestamp"]).toBe(r1.headers["x-timestamp"]);
    expect(received!.headers["x-pinwheel-webhook-id"]).toBe(WEBHOOK_ID);
    expect(received!.headers["x-request-source"]).toBe("replay-test");
    expect(received!.headers.host).toBe(new URL(target.url).host);
    // It verifies only as of when it was first sent.
    const sentAt = Number(r1.headers["x-timestamp"]) * 1000;
    expect(verifyWebhook({ secret: SECRET, headers: received!.headers, rawBody: received!.body, now: sentAt })).toMatchObject({ ok: true });
    expect(verifyWebhook({ secret: SECRET, headers: received!.headers, rawBody: received!.body, toleranceSeconds: 60 })).toMatchObject({
      ok: false,
      reason: "stale_timestamp",
    });
    expect(result.stderr).not.toMatch(/built-in local development secret/);
  });

  it("keeps a bad signature bad, and fails when the app accepts it: a handler must refuse what no secret verifies", async () => {
    const target = await server();
    const result = await replay([String(r4.id), "--as-recorded", "--to", target.url]);
    expectExit(result, 1);
    const [received] = target.requests;
    expect(received!.headers["x-pinwheel-signature"]).toBe(r4.headers["x-pinwheel-signature"]);
    expect(verifyWebhook({ secret: SECRET, headers: received!.headers, rawBody: received!.body })).toMatchObject({ ok: false, reason: "bad_signature" });
    expect(errorLines(result.stderr).at(-1)).toBe(
      "error: 1 of 1 deliveries failed; the app accepted a request sent as recorded, though its signature never verified (bad_signature when it arrived): " +
        "a handler must refuse what no secret verifies (smoke --suite conformance checks both)",
    );
  });

  it("a recording still within 5 minutes of its x-timestamp is expected to pass, and says it does not test refusal yet", async () => {
    const target = await server();
    const result = await replay([String(r2.id), "--as-recorded", "--to", target.url]);
    expectExit(result, 0);
    expect(result.stderr).toMatch(new RegExp(`Request #${r2.id}'s x-timestamp is \\d+ s old, still fresh: a handler is right to accept it as recorded`));
  });
});

describe("replay --as-recorded of a stale recording (tests that the handler refuses a captured request replayed later)", () => {
  let staleHome: TempHome;
  let stale: Original;
  beforeAll(async () => {
    staleHome = tempHome();
    const own = await startListen(["--secret", SECRET], staleHome.env);
    try {
      const body = Buffer.from(JSON.stringify(buildEvent("income.added", { accountId: ACCOUNT_A })));
      // Signed right, 10 minutes ago: listen stores it as stale_timestamp.
      const headers = signed(body, Math.floor(Date.now() / 1000) - 600);
      const response = await request(own.url, { method: "POST", body, headers });
      const { id } = (await response.body.json()) as { id: number };
      stale = { id, eventId: "", event: "income.added", body, headers, status: response.statusCode, receivedAt: "" };
    } finally {
      await own.stop();
    }
    expect(stale.status).toBe(401);
  }, 30_000);
  afterAll(() => staleHome?.cleanup());

  it("passes, exit 0, when the app refuses it with a 4XX", async () => {
    const refusing = await server(() => ({ status: 401 }));
    const result = await runCli(["replay", String(stale.id), "--as-recorded", "--to", refusing.url, "--json"], { env: staleHome.env });
    expectExit(result, 0);
    const [attempt, summary] = ndjson(result.stdout);
    expect(attempt).toMatchObject({ type: "attempt", status_code: 401, ok: false, expected: "refusal", passed: true });
    expect(summary).toEqual({ type: "summary", sent: 1, ok: 1, refused_as_expected: 1, failed: 0, not_sent: 0, skipped: { truncated: 0, unverified: 0, rejected: 0 } });
  });

  it("fails, exit 1, when the app accepts it, saying how old its x-timestamp is and why it must be refused", async () => {
    const accepting = await server();
    const result = await runCli(["replay", String(stale.id), "--as-recorded", "--to", accepting.url], { env: staleHome.env });
    expectExit(result, 1);
    expect(result.stdout).toMatch(/✖ 200 .*\(accepted: it should be refused\)/);
    // Its count is of answers as expected, not of 2xx: "0 2xx" under a 200 would read as a contradiction.
    expect(result.stdout).toMatch(/: 0 as expected \(0 refused\), 1 failed$/m);
    expect(errorLines(result.stderr).at(-1)).toMatch(
      /^error: 1 of 1 deliveries failed; the app accepted a request sent as recorded, though its x-timestamp is 10 min old: a handler must refuse a request older than a few minutes, or anyone who captured one can replay it/,
    );
  });

  it("stopped with Ctrl+C, counts the refusals as the summary would: as expected, not as 2xx", async () => {
    // Of each run's two, the first is refused at once and the second hangs, so the run is stopped in the middle.
    const app = await server((index) => (index % 2 === 0 ? { status: 401 } : { status: 200, delayMs: 120_000 }));
    const args = ["replay", String(stale.id), String(stale.id), "--as-recorded", "-c", "1", "--to", app.url];
    for (const json of [false, true]) {
      const before = app.requests.length;
      const child = spawn(process.execPath, [CLI_PATH, ...args, ...(json ? ["--json"] : [])], { cwd: REPO_ROOT, env: staleHome.env });
      let stdout = "";
      let stderr = "";
      child.stdout.on("data", (chunk: Buffer) => (stdout += chunk.toString("utf8")));
      child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString("utf8")));
      const closed = new Promise<number | null>((resolve) => child.once("close", resolve));
      await waitUntil(() => app.requests.length === before + 2, 30_000);
      child.kill("SIGINT");
      expect(await closed).toBe(130);
      if (json) {
        expect(ndjson(stdout).at(-1)).toEqual({ type: "interrupted", sent: 1, ok: 1, refused_as_expected: 1, failed: 0, abandoned: 1, not_sent: 0 });
      } else {
        expect(stderr.trim().split("\n").at(-1)).toBe(
          "interrupted (Ctrl+C) after 1 of 2 deliveries (1 as expected, 1 of them refused, 0 failed); 1 abandoned in flight, 0 not sent; every attempt made is recorded (pinwheel-cli deliveries list)",
        );
      }
    }
  }, 60_000);
});

describe("replay --as-recorded of a request whose signature was malformed", () => {
  it("passes when the app refuses it, as it must: the original carried it, so no secret verifies it; nothing blames the secret", async () => {
    // A listen of its own: a request stored here would change what the filters below select.
    const own = tempHome();
    const ownListener = await startListen(["--secret", SECRET], own.env);
    onTestFinished(async () => {
      await ownListener.stop("SIGKILL");
      own.cleanup();
    });
    const body = Buffer.from(JSON.stringify(buildEvent("income.added", { accountId: ACCOUNT_A })));
    const response = await request(ownListener.url, { method: "POST", body, headers: { ...signed(body), "x-pinwheel-signature": "v2=not-hex" } });
    const { id } = (await response.body.json()) as { id: number };
    expect(response.statusCode).toBe(401);
    const target = await server(() => ({ status: 401 }));
    const result = await runCli(["replay", String(id), "--as-recorded", "--to", target.url], { env: own.env });
    // Refused, as a request no secret verifies must be: the replay passes.
    expectExit(result, 0);
    expect(target.requests[0]!.headers["x-pinwheel-signature"]).toBe("v2=not-hex");
    expect(result.stdout).toMatch(/✔ 401 .*\(refused, as it should be\)/);
    expect(result.stderr).not.toMatch(/--secret|PINWHEEL_API_SECRET|freshness|error/);
  });
});

describe("replay selects stored requests with filters", () => {
  async function selected(args: string[]): Promise<string[]> {
    const target = await server();
    const result = await replay([...args, "--to", target.url, "--secret", SECRET, "--concurrency", "1"]);
    expectExit(result, 0);
    for (const received of target.requests) {
      expect(verifyWebhook({ secret: SECRET, headers: received.headers, rawBody: received.body })).toMatchObject({ ok: true });
    }
    return target.requests.map(eventIdOf);
  }

  it("--event, --account-id, --verdict, --since and --all, oldest first", async () => {
    const [byEvent, byAccount, failed, verified, since, all] = await Promise.all([
      selected(["--event", "income.added"]),
      selected(["--account-id", ACCOUNT_B, "--include-unverified"]),
      selected(["--verdict", "failed", "--include-unverified"]),
      selected(["--verdict", "verified"]),
      selected(["--since", r3.receivedAt, "--include-unverified"]),
      selected(["--all", "--include-unverified"]),
    ]);
    expect(byEvent).toEqual([r1.eventId, r2.eventId]);
    expect(byAccount).toEqual([r3.eventId, r4.eventId]);
    // The forged request, re-signed with the right secret, now verifies (checked in selected()): hence --include-unverified.
    expect(failed).toEqual([r4.eventId]);
    expect(verified).toEqual([r1.eventId, r2.eventId, r3.eventId]);
    expect(since).toEqual([r3.eventId, r4.eventId]);
    expect(all).toEqual([r1.eventId, r2.eventId, r3.eventId, r4.eventId]);
  }, 45_000); // six CLI runs at once on two shared cores

  it("filters combine", async () => {
    expect(await selected(["--event", "identity.added", "--verdict", "bad_signature", "--include-unverified"])).toEqual([r4.eventId]);
  });

  it("says so and exits 0 when nothing matches", async () => {
    const target = await server();
    const result = await replay(["--event", "shifts.added", "--to", target.url, "--secret", SECRET]);
    expectExit(result, 0);
    expect(target.requests).toHaveLength(0);
    expect(result.stderr).toMatch(/nothing to replay/i);
  });
});

describe("replay of requests that were not verified", () => {
  it("refuses to re-sign a named one without --include-unverified, and sends nothing", async () => {
    const target = await server();
    const result = await replay([String(r4.id), "--to", target.url, "--secret", SECRET]);
    expectExit(result, 2);
    expect(expectOneLineError(result.stderr)).toMatch(new RegExp(`request ${r4.id} was not verified when it arrived \\(bad_signature\\).*--include-unverified`));
    expect(target.requests).toHaveLength(0);
  });

  it("leaves them out of a selection and says how many; with --include-unverified sends them and says the originals failed", async () => {
    const target = await server();
    const skipped = await replay(["--all", "--to", target.url, "--secret", SECRET, "--concurrency", "1"]);
    expectExit(skipped, 0);
    expect(target.requests.map(eventIdOf)).toEqual([r1.eventId, r2.eventId, r3.eventId]);
    expect(skipped.stderr).toMatch(/skipping 1 request\(s\) that were not verified when they arrived \(--include-unverified re-signs them too\)/);
    const named = await replay([String(r4.id), "--include-unverified", "--to", target.url, "--secret", SECRET]);
    expectExit(named, 0);
    expect(named.stderr).toMatch(/1 of these request\(s\) were not verified when they arrived; they are re-signed/);
    expect(target.requests.map(eventIdOf)).toEqual([r1.eventId, r2.eventId, r3.eventId, r4.eventId]);
  });

  it("a selection of nothing but such requests says they were skipped, not that none matched", async () => {
    const target = await server();
    const result = await replay(["--verdict", "failed", "--to", target.url, "--secret", SECRET]);
    expectExit(result, 0);
    expect(result.stderr).toMatch(/skipping 1 request\(s\) that were not verified/);
    expect(result.stderr).toContain("Nothing left to replay after the request(s) skipped above.");
    expect(result.stderr).not.toMatch(/No stored requests match/);
    expect(target.requests).toHaveLength(0);
  });
});

describe("replay of requests received under listen --skip-verify", () => {
  it("treats them as not verified: anyone who reached the port could have sent them", async () => {
    const skipHome = tempHome();
    onTestFinished(() => skipHome.cleanup());
    const skipping = await startListen(["--skip-verify", "--secret", SECRET], skipHome.env);
    try {
      const body = JSON.stringify(buildEvent("income.added"));
      const response = await request(skipping.url, { method: "POST", body, headers: { "content-type": "application/json" } });
      expect(response.statusCode).toBe(200);
      await response.body.dump();
      await skipping.waitFor((line) => (line as { verification?: string }).verification === "skipped");
    } finally {
      await skipping.stop();
    }
    const target = await server();
    const named = await runCli(["replay", "1", "--to", target.url, "--secret", SECRET], { env: skipHome.env });
    expectExit(named, 2);
    expect(expectOneLineError(named.stderr)).toMatch(/request 1 was not verified when it arrived \(skipped\).*--include-unverified/);
    const all = await runCli(["replay", "--all", "--to", target.url, "--secret", SECRET], { env: skipHome.env });
    expectExit(all, 0);
    expect(all.stderr).toMatch(/skipping 1 request\(s\) that were not verified/);
    expect(target.requests).toHaveLength(0);
  });
});

describe("replay of requests listen rejected after verifying them (not Pinwheel events)", () => {
  let rejectedHome: TempHome;
  /** #1 a signed event, #2 a signed body that is not JSON (answered 400), #3 the event again (a retry). */
  let event: Original, notJson: Original;

  beforeAll(async () => {
    rejectedHome = tempHome();
    const rejecting = await startListen(["--secret", SECRET], rejectedHome.env);
    try {
      const send = async (body: Buffer): Promise<Original> => {
        const headers = signed(body);
        const response = await request(rejecting.url, { method: "POST", body, headers });
        const { id } = (await response.body.json()) as { id: number };
        const line = (await rejecting.waitFor((l) => (l as { id?: number }).id === id)) as { event_id: string; received_at: string; verification: string };
        expect(line.verification).toBe("verified");
        return { id, eventId: line.event_id, event: "", body, headers, status: response.statusCode, receivedAt: line.received_at };
      };
      event = await send(Buffer.from(JSON.stringify(buildEvent("income.added"))));
      notJson = await send(Buffer.from("hello, not a webhook"));
      await send(event.body);
    } finally {
      await rejecting.stop();
    }
    expect([event.id, notJson.id, notJson.status]).toEqual([1, 2, 400]);
  }, 30_000);
  afterAll(() => rejectedHome?.cleanup());

  function replayThere(args: string[]) {
    return runCli(["replay", ...args, "--secret", SECRET, "--concurrency", "1"], { env: rejectedHome.env });
  }

  it("--all leaves them out, says how many and which flag re-signs them; --json counts them in its summary", async () => {
    const target = await server();
    const all = await replayThere(["--all", "--to", target.url]);
    expectExit(all, 0);
    expect(target.requests.map((received) => received.body.toString())).toEqual([event.body.toString(), event.body.toString()]);
    expect(all.stderr).toContain(
      "warning: skipping 1 request(s) that listen rejected after verifying them, as not Pinwheel events (--include-rejected re-signs them too)",
    );
    const json = await replayThere(["--all", "--to", target.url, "--json"]);
    expectExit(json, 0);
    expect(ndjson(json.stdout).at(-1)).toEqual({ type: "summary", sent: 2, ok: 2, failed: 0, not_sent: 0, skipped: { truncated: 0, unverified: 0, rejected: 1 } });
    // A filter that selects nothing else says they were skipped, not that nothing matched.
    const verified = await replayThere(["--verdict", "verified", "--since", notJson.receivedAt, "--to", target.url]);
    expectExit(verified, 0);
    expect(verified.stderr).toMatch(/skipping 1 request\(s\) that listen rejected/);
    expect(target.requests).toHaveLength(5);
  });

  it("with --include-rejected, --all sends them re-signed and warns that the app may refuse them", async () => {
    const target = await server();
    const all = await replayThere(["--all", "--include-rejected", "--to", target.url]);
    expectExit(all, 0);
    expect(target.requests.map((received) => received.body.toString())).toEqual([event.body.toString(), "hello, not a webhook", event.body.toString()]);
    expect(verifyWebhook({ secret: SECRET, headers: target.requests[1]!.headers, rawBody: target.requests[1]!.body })).toMatchObject({ ok: true });
    expect(all.stderr).toMatch(/1 of these request\(s\) were rejected by listen as not Pinwheel events; they are re-signed all the same/);
    expect(all.stderr).not.toMatch(/skipping/);
  });

  it("one the app refuses too is not blamed on the app: the failure line gives listen's reason instead of 'a genuine event is lost'", async () => {
    const refusing = await server(() => ({ status: 400 }));
    const sent = await replayThere([String(notJson.id), "--include-rejected", "--to", refusing.url]);
    expectExit(sent, 1);
    expect(errorLines(sent.stderr).at(-1)).toMatch(
      /^error: 1 of 1 deliveries failed; listen refused this request when it arrived, though its signature verified \(.+\), so the app refusing it too may be right$/,
    );
  });

  it("a named one is a usage error naming --include-rejected, and nothing is sent; --include-rejected or --as-recorded sends it", async () => {
    const target = await server();
    const named = await replayThere([String(notJson.id), "--to", target.url]);
    expectExit(named, 2);
    expect(expectOneLineError(named.stderr)).toBe(
      `error: request ${notJson.id} was rejected by listen after its signature verified (it is not a Pinwheel event); re-signing would send it to the app as one. ` +
        "Pass --include-rejected to send it anyway, or --as-recorded to send its original headers",
    );
    expect(target.requests).toHaveLength(0);
    expectExit(await replayThere([String(notJson.id), "--include-rejected", "--to", target.url]), 0);
    // As recorded it carries its own signature and timestamp: nothing is presented as a fresh event.
    const recorded = await replayThere([String(notJson.id), "--as-recorded", "--to", target.url]);
    expectExit(recorded, 0);
    expect(target.requests.map((received) => received.body.toString())).toEqual(["hello, not a webhook", "hello, not a webhook"]);
    expect(target.requests[1]!.headers["x-pinwheel-signature"]).toBe(notJson.headers["x-pinwheel-signature"]);
  });

  it("an event_id several stored requests carry: one line says which is replayed and how many others there are", async () => {
    const target = await server();
    const byEventId = await replayThere([event.eventId, "--to", target.url]);
    expectExit(byEventId, 0);
    expect(target.requests).toHaveLength(1);
    expect(errorLines(byEventId.stderr)).toContain(
      `event_id ${event.eventId} is carried by 2 stored requests: replaying #3, the newest verified one (name another by its id, from "pinwheel-cli events list")`,
    );
    const byId = await replayThere(["1", "--to", target.url]);
    expectExit(byId, 0);
    expect(byId.stderr).not.toMatch(/carried by/);
  });
});

describe("replay's report and exit code", () => {
  it("--json prints one object per attempt, then a summary; any failure exits 1", async () => {
    const target = await server((index) => ({ status: index === 1 ? 500 : 200 }));
    const result = await replay(["--all", "--include-unverified", "--to", target.url, "--secret", SECRET, "--concurrency", "1", "--json"]);
    expectExit(result, 1);
    const lines = ndjson(result.stdout);
    expect(lines).toHaveLength(5);
    expect(lines.slice(0, 4).map((line) => [line.type, line.request_id, line.event_id, line.status_code, line.ok])).toEqual([
      ["attempt", r1.id, r1.eventId, 200, true],
      ["attempt", r2.id, r2.eventId, 500, false],
      ["attempt", r3.id, r3.eventId, 200, true],
      ["attempt", r4.id, r4.eventId, 200, true],
    ]);
    expect(lines[4]).toEqual({ type: "summary", sent: 4, ok: 3, failed: 1, not_sent: 0, skipped: { truncated: 0, unverified: 0, rejected: 0 } });
    const [warning, ...rest] = errorLines(result.stderr);
    expect(warning).toBe("warning: 1 of these request(s) were not verified when they arrived; they are re-signed and reach the app with a valid signature");
    expect(expectOneLineError(rest.join("\n"))).toBe("error: 1 of 4 deliveries failed");
  });

  it("prints a summary line without --json", async () => {
    const target = await server();
    const result = await replay(["--all", "--include-unverified", "--to", target.url, "--secret", SECRET]);
    expectExit(result, 0);
    expect(result.stdout).toMatch(/4 deliveries to .* 4 2xx, 0 failed/);
  });

  it("--concurrency bounds the requests in flight", async () => {
    // Nothing is answered until four requests are in (or 5 s pass): with four in flight, all four arrive first.
    const parallelTarget = await server(() => ({ status: 200, holdUntil: 4, delayMs: 5_000 }));
    const parallel = await replay(["--all", "--include-unverified", "--to", parallelTarget.url, "--secret", SECRET, "--concurrency", "4"]);
    expectExit(parallel, 0);
    expect(parallelTarget.requests.map((r) => r.inFlight)).toEqual([1, 2, 3, 4]);

    const sequentialTarget = await server(() => ({ status: 200, delayMs: 100 }));
    const sequential = await replay(["--all", "--to", sequentialTarget.url, "--secret", SECRET, "--concurrency", "1"]);
    expectExit(sequential, 0);
    expect(sequentialTarget.requests.length).toBeGreaterThan(1);
    expect(sequentialTarget.requests.every((r) => r.inFlight === 1)).toBe(true);
  });

  it("an app that stops answering: after three replays in a row without an answer the rest are not sent, and the reports say so", async () => {
    const hung = await server(() => ({ status: 200, delayMs: 10_000 }));
    const started = Date.now();
    const json = await replay(["--all", "--include-unverified", "--to", hung.url, "--secret", SECRET, "--concurrency", "1", "--timeout", "200", "--json"]);
    expectExit(json, 1);
    const lines = ndjson(json.stdout);
    expect(lines.slice(0, 3).map((line) => [line.type, line.request_id, line.status_code, line.error])).toEqual([
      ["attempt", r1.id, null, "no answer within 200 ms"],
      ["attempt", r2.id, null, "no answer within 200 ms"],
      ["attempt", r3.id, null, "no answer within 200 ms"],
    ]);
    expect(lines[3]).toEqual({ type: "summary", sent: 3, ok: 0, failed: 3, not_sent: 1, skipped: { truncated: 0, unverified: 0, rejected: 0 } });
    const [, ...rest] = errorLines(json.stderr);
    expect(expectOneLineError(rest.join("\n"))).toBe("error: 3 of 3 deliveries failed, and 1 was not sent: 3 in a row got no answer within 200 ms (is the app stuck?)");
    expect(hung.requests).toHaveLength(3);
    const plain = await replay(["--all", "--include-unverified", "--to", hung.url, "--secret", SECRET, "--concurrency", "1", "--timeout", "200"]);
    expectExit(plain, 1);
    expect(plain.stdout).toMatch(/3 deliveries to .*: 0 2xx, 3 failed, 1 not sent/);
    // Before, each replay waited out its timeout whatever the ones before it had shown.
    expect(Date.now() - started).toBeLessThan(10_000);
  });

  it("--retry retries like Pinwheel, and each attempt is recorded against the stored request", async () => {
    const target = await server((index) => ({ status: [500, 503, 200][Math.min(index, 2)]! }));
    const result = await replay([String(r2.id), "--to", target.url, "--secret", SECRET, "--retry", "--retry-base", "20"]);
    expectExit(result, 0);
    expect(target.requests).toHaveLength(3);
    for (const received of target.requests) {
      expect(received.body.equals(r2.body)).toBe(true);
      expect(verifyWebhook({ secret: SECRET, headers: received.headers, rawBody: received.body })).toMatchObject({ ok: true });
    }

    const shown = await runCli(["events", "show", String(r2.id), "--json"], { env: home.env });
    expectExit(shown, 0);
    const deliveries = (JSON.parse(shown.stdout) as { deliveries: Record<string, unknown>[] }).deliveries.filter((d) => d.url === target.url);
    expect(deliveries.map((d) => [d.attempt, d.status_code, d.source, d.request_id, d.event_id]).reverse()).toEqual([
      [1, 500, "replay", r2.id, r2.eventId],
      [2, 503, "replay", r2.id, r2.eventId],
      [3, 200, "replay", r2.id, r2.eventId],
    ]);
    const rows = (await deliveriesList(home.env, ["--event-id", r2.eventId])).filter((row) => row.url === target.url);
    expect(rows.map((row) => row.attempt)).toEqual([1, 2, 3]);
    expect(new Set(rows.map((row) => row.delivery_id)).size).toBe(1);
  });
});

describe("replay usage errors", () => {
  it("ids and filters together, or neither: exit 2 with one line", async () => {
    const [both, neither] = await Promise.all([
      replay([String(r1.id), "--all", "--to", "http://127.0.0.1:9/"]),
      replay(["--to", "http://127.0.0.1:9/"]),
    ]);
    expectExit(both, 2);
    expect(expectOneLineError(both.stderr)).toMatch(/not both/);
    expectExit(neither, 2);
    expect(expectOneLineError(neither.stderr)).toMatch(/--event.*--all/);
  });

  it("without --to and with no forward recorded, it goes to the default URL like simulate (not a usage error)", async () => {
    const closed = "http://127.0.0.1:9/";
    expectExit(await runCli(["config", "set", "default-url", closed], { env: home.env }), 0);
    try {
      const noTo = await replay([String(r1.id), "--secret", SECRET]);
      expectExit(noTo, 1);
      expect(noTo.stderr).toContain(`Replaying to the default URL ${closed}`);
      // The notice above, then the one error line.
      expect(noTo.stderr.trim().split("\n").at(-1)).toMatch(/^error: .*nothing is listening at http:\/\/127\.0\.0\.1:9\//);
    } finally {
      await runCli(["config", "unset", "default-url"], { env: home.env });
    }
  });

  it("an id that is not stored exits 1 naming it, and sends nothing", async () => {
    const target = await server();
    const result = await replay([String(r1.id), "999999", "--to", target.url, "--secret", SECRET]);
    expectExit(result, 1);
    expect(expectOneLineError(result.stderr)).toMatch(/no stored request with id or event_id "999999"/);
    expect(target.requests).toHaveLength(0);
  });

  it("without --to, a mistyped event or an id not stored is the only line: no notice of where it would have gone", async () => {
    const [typo, missing] = await Promise.all([replay(["--event", "incme.added", "--secret", SECRET]), replay(["999999", "--secret", SECRET])]);
    expectExit(typo, 2);
    expect(expectOneLineError(typo.stderr)).toMatch(/incme\.added.*did you mean "income\.added"\?/);
    expectExit(missing, 1);
    expect(expectOneLineError(missing.stderr)).toMatch(/no stored request with id or event_id "999999"/);
  });

  it("an account id given as the start of several is a usage error naming them, for replay and events list", async () => {
    const target = await server();
    const [replayed, listed, unknown] = await Promise.all([
      replay(["--account-id", "acct-replay", "--to", target.url, "--secret", SECRET]),
      runCli(["events", "list", "--account-id", "acct-replay-"], { env: home.env }),
      runCli(["events", "list", "--account-id", "nobody-has-this"], { env: home.env }),
    ]);
    expectExit(replayed, 2);
    expect(expectOneLineError(replayed.stderr)).toBe(
      `error: --account-id acct-replay is the start of several stored ids: ${ACCOUNT_A}, ${ACCOUNT_B}; pass more of the one you mean`,
    );
    expectExit(listed, 2);
    expect(expectOneLineError(listed.stderr)).toBe(
      `error: --account-id acct-replay- is the start of several stored ids: ${ACCOUNT_A}, ${ACCOUNT_B}; pass more of the one you mean`,
    );
    // An id nothing begins with is just a filter that matches nothing.
    expectExit(unknown, 0);
    expect(unknown.stderr).toContain("No stored request matches these filters");
    expect(target.requests).toHaveLength(0);
  });

  it("an empty --account-id or --event (an unset variable) is a usage error, not every stored request", async () => {
    const target = await server();
    const [account, event, listed] = await Promise.all([
      replay(["--account-id", "", "--to", target.url, "--secret", SECRET]),
      replay(["--event", " ", "--to", target.url, "--secret", SECRET]),
      runCli(["events", "list", "--account-id", "", "--json"], { env: home.env }),
    ]);
    expectExit(account, 2);
    expect(expectOneLineError(account.stderr)).toMatch(/^error: --account-id is empty \(an unset variable\?\)/);
    expectExit(event, 2);
    expect(expectOneLineError(event.stderr)).toMatch(/^error: --event is empty \(an unset variable\?\)/);
    expectExit(listed, 2);
    expect(expectOneLineError(listed.stderr)).toMatch(/^error: --account-id is empty/);
    expect(target.requests).toHaveLength(0);
  });

  it("a --since that is not a time is a usage error", async () => {
    const result = await replay(["--since", "yesterday-ish", "--to", "http://127.0.0.1:9/"]);
    expectExit(result, 2);
    expect(expectOneLineError(result.stderr)).toMatch(/yesterday-ish/);
  });
});
