/**
 * The conformance suite in-process against real handlers on 127.0.0.1: a correct one passes
 * every check, and each deliberately broken one (test/fixtures/handlers/) fails exactly the
 * check for its bug, with the message that names it, and no other.
 */
import { readFileSync } from "node:fs";
import { createServer as createNetServer, type AddressInfo } from "node:net";
import { afterEach, describe, expect, it } from "vitest";
import { CHECK_IDS, CHECKS, ConformanceError, runConformance, selectChecks, type CheckId, type ConformanceOptions, type ConformanceReport } from "../../src/conformance/index.js";
import { EVENT_NAMES } from "../../src/events/catalog.js";
import { GENUINE_FIRST_FIX, MILLISECONDS_FIX } from "../../src/conformance/genuine-first.js";
import { verifyWebhook } from "../../src/signing.js";
import { hmac, startHandler, type HandlerSteps, type RunningHandler } from "../fixtures/handlers/base.js";
import { CASE_FIX } from "../../src/conformance/probes.js";
import { acceptsForged } from "../fixtures/handlers/accepts-forged.js";
import { decodesLatin1 } from "../fixtures/handlers/decodes-latin1.js";
import { crashesOnMissingParams } from "../fixtures/handlers/crashes-on-missing-params.js";
import { millisecondTimestamps } from "../fixtures/handlers/millisecond-timestamps.js";
import { nonIdempotent } from "../fixtures/handlers/non-idempotent.js";
import { readsMilliseconds } from "../fixtures/handlers/reads-milliseconds.js";
import { parsesBeforeVerifying } from "../fixtures/handlers/parses-before-verifying.js";
import { rejectsUnknownEvent } from "../fixtures/handlers/rejects-unknown-event.js";
import { slow } from "../fixtures/handlers/slow.js";
import { verifiesAfterLookup } from "../fixtures/handlers/verifies-after-lookup.js";
import { startRecordingServer } from "../helpers/servers.js";
import { createSender } from "../../src/delivery/sender.js";

const SECRET = "sk_conformance_test_3c1d";
const handlers: RunningHandler[] = [];
afterEach(async () => {
  await Promise.all(handlers.splice(0).map((handler) => handler.close()));
});

async function handler(steps: Partial<HandlerSteps> = {}): Promise<RunningHandler> {
  const running = await startHandler(SECRET, steps);
  handlers.push(running);
  return running;
}

function run(target: RunningHandler, options: Partial<ConformanceOptions> = {}): Promise<ConformanceReport> {
  return runConformance({ url: target.url, secret: SECRET, settleMs: 300, ...options });
}

function verdicts(report: ConformanceReport): Record<string, string> {
  return Object.fromEntries(report.results.map((result) => [result.id, result.verdict]));
}

function describeReport(report: ConformanceReport): string {
  return report.results.map((result) => `${result.verdict} ${result.id}: ${result.message}`).join("\n");
}

/** Every check passes but `failing`, which fails with a message matching `message`; `warnings` may warn. */
function expectOnlyFailure(report: ConformanceReport, failing: CheckId, message: RegExp, warnings: CheckId[] = []): void {
  const expected = Object.fromEntries(CHECK_IDS.map((id) => [id, id === failing ? "fail" : warnings.includes(id) ? "warn" : "pass"]));
  expect(verdicts(report), describeReport(report)).toEqual(expected);
  const result = report.results.find((r) => r.id === failing)!;
  expect(result.message).toMatch(message);
  expect(report).toMatchObject({ failed: 1, warned: warnings.length, passed: CHECK_IDS.length - 1 - warnings.length });
}

describe("the checks as data", () => {
  it("has one definition per stable id, in the suite's order, each with why and fix", () => {
    expect(CHECKS.map((check) => check.id)).toEqual([...CHECK_IDS]);
    expect(CHECK_IDS).toEqual([
      "genuine-events",
      "forged-signature",
      "tampered-body",
      "wrong-secret",
      "missing-signature",
      "missing-timestamp",
      "stale-timestamp",
      "timestamp-in-milliseconds",
      "duplicate-delivery",
      "unknown-event",
      "extra-fields",
      "off-schema-payload",
      "out-of-order",
      "pending-then-result",
      "retried-delivery",
      "content-type",
      "response-time",
    ]);
    for (const check of CHECKS) for (const field of [check.sends, check.expects, check.why, check.fix]) expect(field.trim()).not.toBe("");
  });

  it("docs/conformance.md has a row for every check, in the suite's order", () => {
    const docs = readFileSync(new URL("../../docs/conformance.md", import.meta.url), "utf8");
    const rows = [...docs.matchAll(/^\| `([a-z-]+)` \|/gm)].map((match) => match[1]);
    expect(rows).toEqual([...CHECK_IDS]);
  });

  it("selectChecks keeps the suite's order and refuses an unknown id", () => {
    expect(selectChecks(["response-time", "genuine-events"])).toEqual(["genuine-events", "response-time"]);
    expect(() => selectChecks(["forged"])).toThrow(/unknown conformance check "forged"/);
  });
});

describe("a correct handler", () => {
  it("passes every check, with --state-url and --end-user-id too", async () => {
    const target = await handler();
    const report = await run(target, { stateUrl: target.stateUrl, endUserId: "user_known_1" });
    expect(verdicts(report), describeReport(report)).toEqual(Object.fromEntries(CHECK_IDS.map((id) => [id, "pass"])));
    expect(report.results.find((r) => r.id === "duplicate-delivery")!.message).toContain("--state-url unchanged by the duplicate");
    expect(report.results.find((r) => r.id === "forged-signature")!.message).toBe("refused (401, 401 for --end-user-id)");
  });

  it("--events narrows genuine-events; --checks runs only those", async () => {
    const target = await handler();
    const report = await run(target, { events: ["account.added", "income.added"], checks: ["genuine-events"] });
    expect(report.results.map((r) => r.id)).toEqual(["genuine-events"]);
    expect(report.results[0]!.exchanges.map((e) => e.event)).toEqual(["account.added", "income.added"]);
    expect(report.results[0]!.answered).toBe("200 ×2");
  });

  it("--events narrowed to what a webhook subscribes to: the single-event checks send those events, not ones the handler never gets", async () => {
    // A handler whose webhook subscribes to account.added only, and refuses every other event.
    const target = await handler({ unknownEventStatus: (event) => (event === "account.added" ? undefined : 400) });
    const checks: CheckId[] = ["genuine-events", "forged-signature", "wrong-secret", "duplicate-delivery", "extra-fields", "off-schema-payload", "retried-delivery", "content-type"];
    const report = await run(target, { events: ["account.added"], checks });
    expect(verdicts(report), describeReport(report)).toEqual(Object.fromEntries(checks.map((id) => [id, "pass"])));
    for (const result of report.results) expect(new Set(result.exchanges.map((e) => e.event)), result.id).toEqual(new Set(["account.added"]));
    expect(report.results[0]!.sent).toBe("account.added, correctly signed");
    // Every catalog event: each check sends its own choice, as before.
    const all = await run(target, { checks: ["genuine-events", "duplicate-delivery"] });
    expect(all.results[0]!.sent).toBe(CHECKS[0]!.sends);
    expect(all.results[1]!.exchanges[0]!.event).toBe("paystubs.added");
  });

  it("sends what each check says: signed genuine events, forgeries that do not verify, a reformatted body", async () => {
    const recorder = await startRecordingServer();
    try {
      const report = await runConformance({ url: recorder.url, secret: SECRET, checks: ["genuine-events", "forged-signature", "tampered-body", "wrong-secret", "missing-timestamp", "stale-timestamp", "timestamp-in-milliseconds", "content-type"] });
      const verify = (i: number) => verifyWebhook({ secret: SECRET, headers: recorder.requests[i]!.headers, rawBody: recorder.requests[i]!.body });
      const genuine = report.results[0]!.exchanges;
      expect(genuine.map((e) => e.event)).toEqual([...EVENT_NAMES]);
      EVENT_NAMES.forEach((_, i) => expect(verify(i)).toMatchObject({ ok: true }));
      const after = EVENT_NAMES.length;
      expect(verify(after)).toMatchObject({ ok: false, reason: "malformed_signature" });
      expect(verify(after + 1)).toMatchObject({ ok: false, reason: "bad_signature" });
      // The reformatted body: same JSON, other bytes.
      expect(JSON.parse(recorder.requests[after + 2]!.body.toString())).toEqual(JSON.parse(report.results[2]!.exchanges[1]!.sent.body));
      expect(verify(after + 2)).toMatchObject({ ok: false, reason: "bad_signature" });
      expect(verify(after + 3)).toMatchObject({ ok: false, reason: "bad_signature" });
      expect(verify(after + 4)).toMatchObject({ ok: false, reason: "missing_timestamp" });
      expect(verify(after + 5)).toMatchObject({ ok: false, reason: "stale_timestamp" });
      expect(verify(after + 6)).toMatchObject({ ok: false, reason: "stale_timestamp", message: expect.stringContaining("milliseconds") });
      expect(recorder.requests[after + 7]!.headers["content-type"]).toBe("application/json; charset=utf-8");
      expect(verify(after + 7)).toMatchObject({ ok: true });
      // A recorder answers 200 to everything: it accepts every forgery.
      expect(verdicts(report)).toMatchObject({ "forged-signature": "fail", "wrong-secret": "fail", "stale-timestamp": "fail" });
      expect(new Set(recorder.requests.map((r) => r.headers["x-pinwheel-webhook-id"])).size).toBe(1);
    } finally {
      await recorder.close();
    }
  });
});

describe("each broken handler fails exactly its check", () => {
  it("accepts forged: a made-up signature of the wrong length gets through", async () => {
    const report = await run(await handler(acceptsForged));
    expectOnlyFailure(report, "forged-signature", /^answered 200 to a made-up signature \(v2= and 16 hex characters, not an HMAC\)/);
  });

  it("parses before verifying: other bytes with the same JSON verify", async () => {
    const report = await run(await handler(parsesBeforeVerifying));
    expectOnlyFailure(report, "tampered-body", /^answered 200 to a body whose bytes differ from the signed ones though its JSON is the same: it verifies re-serialized JSON \(parsed before verifying\)/);
    // The fix names the raw body in Python's frameworks as well as Node's.
    expect(report.results.find((r) => r.id === "tampered-body")!.fix).toMatch(/express\.raw, .*Flask request\.get_data\(\), Django request\.body, FastAPI await request\.body\(\)/);
  });

  it("400 on an unknown event: the event would be lost", async () => {
    const report = await run(await handler(rejectsUnknownEvent));
    expectOnlyFailure(report, "unknown-event", /^answered 400 to "pinwheel_cli_conformance\.probed", correctly signed \(Pinwheel never retries a 4XX: the event would be lost\)$/);
  });

  it("crashes on a missing params (the docs' Express snippet): a genuine event off its schema gets 500 on every retry", async () => {
    const report = await run(await handler(crashesOnMissingParams));
    expectOnlyFailure(
      report,
      "off-schema-payload",
      /^1 of 4 not answered 2xx: shifts\.added without payload\.params \(documented optional\) → 500 \(Pinwheel retries a 5XX with the same body, which fails the same way: after 5 retries the event is lost\)$/,
    );
    const result = report.results.find((r) => r.id === "off-schema-payload")!;
    expect(result.fix).toMatch(/^read payload fields defensively .* act on the parsed event's issues/);
    expect(result.evidence.map((e) => e.event)).toEqual(["shifts.added"]);
  });

  it("off-schema-payload sends genuine known events: an optional field left out, enum values the docs do not list, carrying --end-user-id", async () => {
    const recorder = await startRecordingServer();
    try {
      const report = await runConformance({ url: recorder.url, secret: SECRET, endUserId: "user_known_3", checks: ["off-schema-payload"] });
      expect(report.results[0]!.verdict).toBe("pass");
      expect(report.results[0]!.exchanges.map((e) => e.label)).toEqual([
        "shifts.added without payload.params (documented optional)",
        'income.added with payload.outcome "pinwheel_cli_unlisted_value" (not success, error or pending)',
        'paystubs.added with payload.params.sync_status "pinwheel_cli_unlisted_value" (not in_progress or complete)',
        'account.monitoring_status.updated with payload.current_monitoring_status "pinwheel_cli_unlisted_value" (not one of the five the docs list)',
      ]);
      recorder.requests.forEach((request) => expect(verifyWebhook({ secret: SECRET, headers: request.headers, rawBody: request.body })).toMatchObject({ ok: true }));
      const payloads = recorder.requests.map((request) => (JSON.parse(request.body.toString()) as { payload: Record<string, unknown> }).payload);
      expect("params" in payloads[0]!).toBe(false);
      expect(payloads[1]!.outcome).toBe("pinwheel_cli_unlisted_value");
      expect(payloads[2]!.params).toMatchObject({ sync_status: "pinwheel_cli_unlisted_value", count: 6 });
      for (const payload of payloads) expect(payload.end_user_id).toBe("user_known_3");
    } finally {
      await recorder.close();
    }
    // A 400 (a strict schema) loses the event for good: it fails, naming the variant.
    const strict = await startRecordingServer((index) => ({ status: index === 2 ? 400 : 200 }));
    try {
      const report = await runConformance({ url: strict.url, secret: SECRET, checks: ["off-schema-payload"] });
      expect(report.results[0]!.message).toBe(
        '1 of 4 not answered 2xx: paystubs.added with payload.params.sync_status "pinwheel_cli_unlisted_value" (not in_progress or complete) → 400 (Pinwheel never retries a 4XX: the event would be lost)',
      );
    } finally {
      await strict.close();
    }
    // Narrowed by --events: only the run's events, and a pass that says when nothing fits.
    const target = await handler();
    const narrowed = await run(target, { events: ["paystubs.fully_synced"], checks: ["off-schema-payload"] });
    expect(narrowed.results[0]!.exchanges.map((e) => e.event)).toEqual(["paystubs.fully_synced"]);
    const none = await run(target, { events: ["verification_reports.refreshed"], checks: ["off-schema-payload"] });
    expect(none.results[0]).toMatchObject({ verdict: "pass", unchecked: "no off-schema variant among --events", exchanges: [] });
  });

  it("a handler that accepts no genuine event: its refusals of forgeries warn that they show nothing, and the checks it fails for that reason point to genuine-events", async () => {
    const broken = await startRecordingServer(() => ({ status: 500 }));
    try {
      const report = await runConformance({
        url: broken.url,
        secret: SECRET,
        events: ["account.added", "income.added"],
        checks: ["genuine-events", "forged-signature", "missing-timestamp", "duplicate-delivery", "off-schema-payload", "content-type"],
      });
      expect(verdicts(report), describeReport(report)).toEqual({
        "genuine-events": "fail",
        "forged-signature": "warn",
        "missing-timestamp": "warn",
        "duplicate-delivery": "fail",
        "off-schema-payload": "fail",
        "content-type": "fail",
      });
      const byId = Object.fromEntries(report.results.map((result) => [result.id, result]));
      expect(byId["forged-signature"]!.message).toMatch(/^refused \(500\), but so was every genuine event: this shows nothing about its verification until genuine-events passes$/);
      for (const id of ["duplicate-delivery", "off-schema-payload", "content-type"]) expect(byId[id]!.fix, id).toBe(GENUINE_FIRST_FIX);
      // genuine-events keeps its own fix: it is the one to make pass.
      expect(byId["genuine-events"]!.fix).toBe(CHECKS[0]!.fix);
    } finally {
      await broken.close();
    }
    // Without genuine-events in the run nothing is known about genuine events: a refusal passes as before.
    const alone = await startRecordingServer(() => ({ status: 500 }));
    try {
      const report = await runConformance({ url: alone.url, secret: SECRET, checks: ["forged-signature", "content-type"] });
      expect(verdicts(report)).toEqual({ "forged-signature": "pass", "content-type": "fail" });
      expect(report.results[1]!.fix).not.toBe(GENUINE_FIRST_FIX);
    } finally {
      await alone.close();
    }
  });

  it("a redirect (an http:// URL sent on to https://, a moved route): said to be a redirect, not a 4XX", async () => {
    const moved = await startRecordingServer(() => ({ status: 302 }));
    try {
      const report = await runConformance({
        url: moved.url,
        secret: SECRET,
        events: ["account.added", "income.added"],
        checks: ["genuine-events", "duplicate-delivery", "unknown-event", "content-type"],
      });
      expect(verdicts(report)).toEqual({ "genuine-events": "fail", "duplicate-delivery": "fail", "unknown-event": "fail", "content-type": "fail" });
      const [genuine, duplicate, unknown, contentType] = report.results.map((result) => result.message);
      expect(genuine).toBe("2 of 2 not answered 2xx: account.added → 302; income.added → 302 (a redirect: Pinwheel is not documented to follow one, and retries only a 5XX or a network error, so these events would be lost; register the URL it redirects to)");
      expect(unknown).toMatch(/^answered 302 to "pinwheel_cli_conformance\.probed", correctly signed \(a redirect: .* so the event would be lost; register the URL it redirects to\)$/);
      expect(contentType).toMatch(/\(a redirect: /);
      expect(duplicate).toBe("answered 302 to the first delivery: first delivery");
      for (const result of report.results) expect(result.message).not.toMatch(/4XX/);
    } finally {
      await moved.close();
    }
    // A duplicate redirected (the first copy accepted) says the same.
    const second = await startRecordingServer((index) => ({ status: index === 0 ? 200 : 307 }));
    try {
      const report = await runConformance({ url: second.url, secret: SECRET, checks: ["duplicate-delivery"] });
      expect(report.results[0]!.message).toBe("answered 307 to the same request again (same bytes, event_id and headers); a redirect: Pinwheel is not documented to follow one, and retries only a 5XX or a network error");
    } finally {
      await second.close();
    }
  });

  it("verifies millisecond timestamps wrongly: converts them and accepts", async () => {
    const report = await run(await handler(millisecondTimestamps));
    expectOnlyFailure(report, "timestamp-in-milliseconds", /^answered 200 to a genuine signature over an x-timestamp in milliseconds/);
  });

  it("reads x-timestamp as milliseconds: genuine-events' failure names that, not the secret or the raw body", async () => {
    const report = await run(await handler(readsMilliseconds), { events: ["income.added", "paystubs.added"] });
    const genuine = report.results.find((r) => r.id === "genuine-events")!;
    expect(genuine.verdict).toBe("fail");
    expect(genuine.message).toMatch(/^2 of 2 not answered 2xx: income\.added → 401; paystubs\.added → 401 \(the handler seems to read x-timestamp as milliseconds: it accepted a 13-digit one in timestamp-in-milliseconds; x-timestamp is Unix seconds\)$/);
    expect(genuine.message).not.toContain("secret");
    expect(genuine.fix).toBe(MILLISECONDS_FIX);
    expect(report.results.find((r) => r.id === "timestamp-in-milliseconds")!.verdict).toBe("fail");
    // Without timestamp-in-milliseconds in the run nothing shows the cause: the usual guess stays.
    const alone = await run(await handler(readsMilliseconds), { events: ["income.added"], checks: ["genuine-events"] });
    expect(alone.results[0]!.message).toMatch(/refused as unauthorized: is the handler verifying with the same secret/);
    // One that lets other forgeries in too (strangers answered 200 unverified) shows nothing about milliseconds.
    const known = "user_known_9";
    const lookup = await run(await handler({ ...readsMilliseconds, ...verifiesAfterLookup(known) }), {
      endUserId: known,
      events: ["income.added"],
      checks: ["genuine-events", "forged-signature", "timestamp-in-milliseconds"],
    });
    expect(lookup.results.map((r) => r.verdict)).toEqual(["fail", "fail", "fail"]);
    expect(lookup.results[0]!.message).not.toContain("milliseconds");
  });

  it("slow: one answer later than the timeout (a small --timeout keeps this test short)", async () => {
    const report = await run(await handler(slow("shifts.fully_synced", 1500)), { timeoutMs: 1000 });
    expectOnlyFailure(report, "response-time", /^1 of \d+ answers came later than 1\.00 s \(shifts\.fully_synced: \d\.\d\d s\): Pinwheel would count them failed and retry/);
    expect(report.results.find((r) => r.id === "genuine-events")!.verdict).toBe("pass");
  });

  it("non-idempotent with a state URL: the duplicate is processed twice (the retry only warns: same cause)", async () => {
    const target = await handler(nonIdempotent);
    const report = await run(target, { stateUrl: target.stateUrl });
    expectOnlyFailure(report, "duplicate-delivery", /^answered 200, then 200, but --state-url went from processed (\d+) to processed \d+ on the duplicate: it processed the same event_id twice$/, ["retried-delivery"]);
    expect(report.results.find((r) => r.id === "retried-delivery")!.message).toMatch(/the same missing dedupe as duplicate-delivery$/);
  });

  it("decodes the body as latin1 before its HMAC: extra-fields' non-ASCII text shows it, with the raw-bytes fix", async () => {
    const report = await run(await handler(decodesLatin1));
    expectOnlyFailure(report, "extra-fields", /^answered 401 to employment\.added with fields Pinwheel may add tomorrow, whose added field holds non-ASCII text \(.*\), though it verified ASCII bodies before: its signature check reads the body as text in another encoding/);
    expect(report.results.find((r) => r.id === "extra-fields")!.fix).toMatch(/^compute the HMAC over the raw body bytes/);
  });

  it("reads headers by their exact case: content-type's capitalized header names warn of it (Pinwheel's case is not promised), with the case-insensitive fix", async () => {
    // The correct handler, but reading the raw header list by exact (lower-case) name, as a
    // case-preserving map (an API gateway's event.headers) does.
    const target = await handler({
      signatureMatches(secret, _headers, raw, rawHeaders) {
        const exact = (name: string) => {
          const i = rawHeaders!.indexOf(name);
          return i < 0 ? undefined : rawHeaders![i + 1];
        };
        const match = /^v2=([0-9a-f]{64})$/.exec(exact("x-pinwheel-signature") ?? "");
        const timestamp = exact("x-timestamp");
        return !!match && timestamp !== undefined && hmac(secret, timestamp, raw).equals(Buffer.from(match[1]!, "hex"));
      },
    });
    const report = await run(target);
    expect(verdicts(report), describeReport(report)).toEqual(Object.fromEntries(CHECK_IDS.map((id) => [id, id === "content-type" ? "warn" : "pass"])));
    const result = report.results.find((r) => r.id === "content-type")!;
    expect(result.message).toMatch(/^answered 401 to identity\.added with its header names capitalized \(Content-Type, X-Pinwheel-Signature, X-Timestamp\), though it accepted the same event with lower-case names: it reads headers by their exact case/);
    expect(result.fix).toBe(CASE_FIX);
  });

  it("verifies some genuine events but not others (the body decoded as UTF-16): the hint says the secret is right, not to check it", async () => {
    const target = await handler({
      signatureMatches(secret, headers, raw) {
        const match = /^v2=([0-9a-f]{64})$/.exec(String(headers["x-pinwheel-signature"]));
        const timestamp = headers["x-timestamp"];
        // Decoding drops an odd body's last byte: those bodies never verify.
        return !!match && typeof timestamp === "string" && hmac(secret, timestamp, Buffer.from(raw.toString("utf16le"), "utf16le")).equals(Buffer.from(match[1]!, "hex"));
      },
    });
    const report = await run(target, { checks: ["genuine-events"] });
    const [genuine] = report.results;
    expect(genuine!.verdict).toBe("fail");
    expect(genuine!.message).toMatch(/ \(refused as unauthorized, though \d+ other genuine events? signed the same way verified: the secret is right, and the signature is checked over something other than the raw body bytes/);
    expect(genuine!.message).not.toContain("same secret as --secret");
  });

  it("retried-delivery alone (--checks) against a handler with no dedupe: says the event_id was processed twice, not only that the key changes", async () => {
    const target = await handler(nonIdempotent);
    const report = await run(target, { checks: ["retried-delivery"], stateUrl: target.stateUrl });
    expect(report.results[0]!.verdict).toBe("fail");
    expect(report.results[0]!.message).toMatch(/on the retry: it processed the same event_id twice \(no dedupe on event_id, or a key that changes on a retry/);
  });

  it("a handler that answers first and stores a moment later passes: the earlier checks' late stores are not the duplicate's", async () => {
    // It stores each event 200 ms after answering (within the 300 ms settle time), deduping on
    // event_id; genuine-events' last stores land after duplicate-delivery has begun.
    const target = await handler({ storeAfterMs: 200 });
    const report = await run(target, { checks: ["genuine-events", "duplicate-delivery", "retried-delivery"], stateUrl: target.stateUrl });
    expect(verdicts(report), describeReport(report)).toEqual({ "genuine-events": "pass", "duplicate-delivery": "pass", "retried-delivery": "pass" });
  });

  it("without a state URL, a non-idempotent handler cannot be told apart (2xx is all it shows), and the passes say so", async () => {
    const report = await run(await handler(nonIdempotent), { checks: ["duplicate-delivery", "retried-delivery"] });
    expect(verdicts(report)).toEqual({ "duplicate-delivery": "pass", "retried-delivery": "pass" });
    expect(report.results.map((result) => result.message)).toEqual([
      "answered 200, then 200 (whether the duplicate was processed again cannot be seen without --state-url)",
      "answered 200, then 200 (whether the retry was processed again cannot be seen without --state-url)",
    ]);
    expect(report.results.map((result) => result.unchecked)).toEqual(["double processing not checked without --state-url", "double processing not checked without --state-url"]);
    // With --state-url there is nothing left unchecked.
    const target = await handler();
    const checked = await run(target, { checks: ["duplicate-delivery", "retried-delivery"], stateUrl: target.stateUrl });
    expect(checked.results.map((result) => [result.verdict, result.unchecked])).toEqual([
      ["pass", undefined],
      ["pass", undefined],
    ]);
  });

  it("verifies only after a lookup: said so when --end-user-id is refused and a stranger is not", async () => {
    const known = "user_known_7";
    const report = await run(await handler(verifiesAfterLookup(known)), { endUserId: known });
    const refusals: CheckId[] = ["forged-signature", "tampered-body", "wrong-secret", "missing-signature", "missing-timestamp", "stale-timestamp", "timestamp-in-milliseconds"];
    expect(verdicts(report), describeReport(report)).toEqual(Object.fromEntries(CHECK_IDS.map((id) => [id, refusals.includes(id) ? "fail" : "pass"])));
    for (const id of refusals) {
      const result = report.results.find((r) => r.id === id)!;
      expect(result.message).toMatch(/^answered 200 to .* for an unknown end user but 401 for --end-user-id user_known_7: it verifies only after a lookup$/);
      expect(result.fix).toMatch(/^verify the signature and timestamp first, before looking anything up/);
    }
    // Without --end-user-id the forgery is still caught, and the message says how to tell.
    const bare = await run(await handler(verifiesAfterLookup(known)), { checks: ["forged-signature"] });
    expect(bare.results[0]!.message).toMatch(/pass --end-user-id to tell\)$/);
  });
});

describe("what stops a run before any verdict", () => {
  it("nothing listening at the URL", async () => {
    const target = await handler();
    await target.close();
    const error = await run(target).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ConformanceError);
    expect(error).toMatchObject({ code: "unreachable", url: target.url });
  });

  it("something at the URL that takes the connection but answers no HTTP: not called nothing listening", async () => {
    const dropping = createNetServer((socket) => {
      socket.on("error", () => {});
      socket.once("data", () => socket.destroy());
    });
    const garbling = createNetServer((socket) => {
      socket.on("error", () => {});
      socket.once("data", () => socket.end("SSH-2.0-OpenSSH_9.6\r\n"));
    });
    const urls = await Promise.all([dropping, garbling].map((server) => new Promise<string>((resolve) => server.listen(0, "127.0.0.1", () => resolve(`http://127.0.0.1:${(server.address() as AddressInfo).port}/`)))));
    try {
      for (const url of urls) {
        const error = await runConformance({ url, secret: SECRET }).catch((e: unknown) => e);
        expect(error, url).toBeInstanceOf(ConformanceError);
        expect(error, url).toMatchObject({ code: "no_http", url });
      }
    } finally {
      await Promise.all([dropping, garbling].map((server) => new Promise((resolve) => server.close(resolve))));
    }
  });

  it("a status line then a body cut short is an HTTP answer: the suite judges it rather than stop on 'no HTTP answer'", async () => {
    const cutShort = createNetServer((socket) => {
      socket.on("error", () => {});
      socket.once("data", () => socket.end("HTTP/1.1 200 OK\r\ncontent-length: 100\r\n\r\nshort"));
    });
    const url = await new Promise<string>((resolve) => cutShort.listen(0, "127.0.0.1", () => resolve(`http://127.0.0.1:${(cutShort.address() as AddressInfo).port}/`)));
    try {
      const report = await runConformance({ url, secret: SECRET, checks: ["genuine-events"] });
      const [result] = report.results;
      expect(result?.verdict).toBe("fail");
      expect(result?.message).toMatch(/^\d+ of \d+ not answered whole: .* → 200, then UND_ERR_SOCKET: other side closed;.* \(the answer did not come whole after its status: Pinwheel counts that as a failed attempt/);
    } finally {
      await new Promise((resolve) => cutShort.close(resolve));
    }
  });

  it("a handler that answers nothing at all: the suite stops after three requests, not after every check's wait", async () => {
    const hung = await startRecordingServer(() => ({ status: 200, delayMs: 60_000 }));
    try {
      const started = Date.now();
      // A sender that gives up sooner than the suite's own wait (5.1 s at this timeout), to keep the test short.
      const sender = createSender({ timeoutMs: 300, connections: 2 });
      const error = await runConformance({ url: hung.url, secret: SECRET, timeoutMs: 100, sender })
        .catch((e: unknown) => e)
        .finally(() => sender.close());
      expect(error).toMatchObject({ code: "unresponsive", url: hung.url });
      expect((error as Error).message).toMatch(/^the first 3 requests got no answer within \d+ ms each$/);
      expect(hung.requests).toHaveLength(3);
      expect(Date.now() - started).toBeLessThan(5_000);
    } finally {
      await hung.close();
    }
  });

  it("a handler that hangs after answering a few (a leaked connection pool): the suite stops after three unanswered in a row", async () => {
    // 200 to the first five requests, then nothing: about 60 more requests would each wait the sender's timeout.
    const stuck = await startRecordingServer((index) => (index < 5 ? { status: 200 } : { status: 200, delayMs: 60_000 }));
    try {
      const started = Date.now();
      const sender = createSender({ timeoutMs: 300, connections: 2 });
      const error = await runConformance({ url: stuck.url, secret: SECRET, timeoutMs: 100, sender, events: ["account.added", "income.added"] })
        .catch((e: unknown) => e)
        .finally(() => sender.close());
      expect(error).toMatchObject({ code: "unresponsive", url: stuck.url });
      expect((error as Error).message).toMatch(/^3 requests in a row got no answer within \d+ ms each, after 5 earlier ones$/);
      expect(stuck.requests).toHaveLength(8);
      expect(Date.now() - started).toBeLessThan(5_000);
    } finally {
      await stuck.close();
    }
  });

  it("a signal stops the run where it is: the request in flight abandoned, nothing more sent, the signal's reason thrown", async () => {
    const slowToAnswer = await startRecordingServer(() => ({ status: 200, delayMs: 20_000 }));
    try {
      const controller = new AbortController();
      const started = Date.now();
      const running = runConformance({ url: slowToAnswer.url, secret: SECRET, signal: controller.signal }).catch((e: unknown) => e);
      while (slowToAnswer.requests.length === 0) await new Promise((resolve) => setTimeout(resolve, 20));
      controller.abort(new Error("the client cancelled"));
      expect(await running).toMatchObject({ message: "the client cancelled" });
      expect(Date.now() - started).toBeLessThan(5_000);
      await new Promise((resolve) => setTimeout(resolve, 300));
      expect(slowToAnswer.requests).toHaveLength(1);
    } finally {
      await slowToAnswer.close();
    }
  });

  it("a --state-url that does not answer a count or list", async () => {
    const target = await handler();
    const error = await run(target, { stateUrl: target.url.replace("/webhooks", "/nope") }).catch((e: unknown) => e);
    expect(error).toMatchObject({ code: "state_url" });
    expect((error as Error).message).toMatch(/answered 401|not JSON|count or list/);
  });
});
