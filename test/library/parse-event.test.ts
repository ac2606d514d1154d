import { runInNewContext } from "node:vm";
import { describe, expect, it } from "vitest";
import { EVENT_NAMES } from "../../src/events/catalog.js";
import {
  createSignedRequest,
  parseWebhookEvent,
  PinwheelWebhookError,
  safeParseWebhookEvent,
  signedHeaders,
  signWebhook,
  verifyWebhook,
  type ParsedWebhookEvent,
  type PinwheelWebhookEvent,
  type UnknownPinwheelEvent,
  type WebhookEventOf,
} from "../../src/index.js";

const SECRET = "sk_library_test_0b7e";

function rejection(run: () => unknown): PinwheelWebhookError {
  try {
    run();
  } catch (error) {
    if (error instanceof PinwheelWebhookError) return error;
    throw error;
  }
  throw new Error("expected a PinwheelWebhookError");
}

describe("createSignedRequest + parseWebhookEvent", () => {
  it.each(EVENT_NAMES)("round-trips %s: signed, verified, and valid against its schema", (name) => {
    const { headers, body, event } = createSignedRequest(name, { secret: SECRET });
    expect(headers["x-pinwheel-signature"]).toMatch(/^v2=[0-9a-f]{64}$/);
    expect(headers["x-pinwheel-webhook-id"]).toMatch(/^[0-9a-f-]{36}$/);
    expect(body).toBe(JSON.stringify(event));
    const parsed = parseWebhookEvent({ secret: SECRET, headers, rawBody: Buffer.from(body) });
    expect(parsed.event).toBe(name);
    expect(parsed.event_id).toBe(event.event_id);
  });

  it("narrows the payload by event name", () => {
    const { headers, body } = createSignedRequest("paystubs.fully_synced", { secret: SECRET, set: { "payload.params.count": 7 } });
    const e: ParsedWebhookEvent = parseWebhookEvent({ secret: SECRET, headers, rawBody: body });
    let count = -1;
    // An unknown event's payload is `unknown`, so `known` is checked before the name narrows.
    // @ts-expect-error without it, the union still has the unknown event's payload
    if (e.event === "paystubs.fully_synced") void e.payload.params.count;
    if (!e.known) throw new Error("paystubs.fully_synced is a known event");
    const known: PinwheelWebhookEvent = e;
    expect(known.event).toBe("paystubs.fully_synced");
    switch (e.event) {
      case "paystubs.fully_synced":
        count = e.payload.params.count;
        break;
      default:
        break;
    }
    // Without narrowing, params.count is not on every event's payload.
    // @ts-expect-error params may be absent or untyped on other events
    void e.payload.params.count;
    expect(count).toBe(7);
    const typed: WebhookEventOf<"account.monitoring_status.updated">["payload"]["current_monitoring_status"] = "degraded";
    expect(typed).toBe("degraded");
  });

  it("applies overrides, the outcome with its error fields, and an explicit timestamp", () => {
    const now = Date.UTC(2026, 0, 2, 3, 4, 5);
    const { headers, event } = createSignedRequest("income.added", {
      secret: SECRET,
      now,
      outcome: "error",
      accountId: "03bbc20e-bc39-464a-b4dc-4b63ffb7213d",
      eventId: "5a141122-4235-4fa1-bd76-0628573880b0",
      webhookId: "0c5d4b5e-8d4f-4f8e-9f4e-2f3c1f6f0a11",
      add: { "payload.params.note": "x" },
    });
    expect(headers["x-timestamp"]).toBe(String(now / 1000));
    expect(headers["x-pinwheel-webhook-id"]).toBe("0c5d4b5e-8d4f-4f8e-9f4e-2f3c1f6f0a11");
    expect(event).toMatchObject({
      event_id: "5a141122-4235-4fa1-bd76-0628573880b0",
      payload: { outcome: "error", error_code: expect.any(String), account_id: "03bbc20e-bc39-464a-b4dc-4b63ffb7213d", params: { note: "x" } },
    });
    expect(event.payload.timestamp).toBe("2026-01-02T03:04:05.000000+00:00");
  });

  it("signs an envelope of your own, e.g. an event this library does not know: accepted as UnknownPinwheelEvent", () => {
    const { headers, body } = createSignedRequest({ event: "loans.added", event_id: "5a141122-4235-4fa1-bd76-0628573880b0", payload: { amount: 1 } }, { secret: SECRET });
    const e = parseWebhookEvent({ secret: SECRET, headers, rawBody: body });
    expect(e).toEqual({
      known: false,
      event: "loans.added",
      event_id: "5a141122-4235-4fa1-bd76-0628573880b0",
      payload: { amount: 1 },
      issues: [{ path: "event", message: '"loans.added" is not a known Pinwheel event' }],
    });
    if (e.known) throw new Error("loans.added is not a known event");
    const unknown: UnknownPinwheelEvent = e;
    const name: string = unknown.event;
    expect(name).toBe("loans.added");
    const error = rejection(() => parseWebhookEvent({ secret: SECRET, headers, rawBody: body, strict: true }));
    expect(error).toMatchObject({ reason: "unknown_event", status: 400 });
    expect(error.message).toMatch(/"loans.added" is not a known Pinwheel event/);
  });

  it("refuses an unknown event name with a suggestion, and a missing secret", () => {
    expect(() => createSignedRequest("paystubs.fully_syncd" as never, { secret: SECRET })).toThrow(/unknown event "paystubs.fully_syncd"; did you mean "paystubs.fully_synced"/);
    expect(() => createSignedRequest("income.added", {} as never)).toThrow(/needs \{ secret \}/);
  });

  it("names a bad override in the library's own terms, as a TypeError, and refuses an outcome that does not exist", () => {
    let thrown: unknown;
    try {
      createSignedRequest("income.added", { secret: SECRET, set: { "payload.nope.x": 1 } });
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(TypeError);
    expect((thrown as Error).message).toMatch(/^createSignedRequest: "set" payload\.nope\.x: income\.added has no such field/);
    expect((thrown as Error).message).not.toMatch(/--/);
    expect(() => createSignedRequest("paystubs.added", { secret: SECRET, outcome: "bogus" as never })).toThrow(
      'createSignedRequest: outcome must be "success", "error", "pending", got "bogus"',
    );
    // Each would have signed a request nothing can verify, or failed inside with another function's words.
    for (const [options, message] of [
      [{ timestamp: 1.5 }, "timestamp must be Unix seconds, a whole number; got 1.5"],
      [{ timestamp: Number.NaN }, "timestamp must be Unix seconds, a whole number; got NaN"],
      [{ timestamp: "abc" }, 'timestamp must be Unix seconds, a whole number; got "abc"'],
      [{ webhookId: 5 }, "webhookId must be a string; got number"],
      [{ timestamp: 1796236170752 }, "timestamp must be Unix seconds; 1796236170752 looks like milliseconds (Math.floor(Date.now() / 1000) gives seconds)"],
      [{ eventId: 5 }, "eventId must be a string; got number"],
      [{ eventId: "" }, 'eventId is empty, which every handler refuses (an unset variable?); to test that refusal, pass set: { event_id: "" }'],
      [{ unset: "payload.account_id" }, 'unset must be an array of paths, such as ["payload.account_id"]; got string'],
    ] as const) {
      expect(() => createSignedRequest("income.added", { secret: SECRET, ...(options as object) })).toThrow(new TypeError(`createSignedRequest: ${message}`));
    }
    expect(() => createSignedRequest(null as never, { secret: SECRET })).toThrow(/^createSignedRequest: the event must be an event name or an envelope object; got null$/);
  });

  it("accepts a fetch Headers object and an ArrayBuffer body (Next.js, Hono)", () => {
    const { headers, body } = createSignedRequest("account.added", { secret: SECRET });
    const bytes = new TextEncoder().encode(body);
    const arrayBuffer = bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer;
    const parsed = parseWebhookEvent({ secret: SECRET, headers: new Headers(headers), rawBody: arrayBuffer });
    expect(parsed.event).toBe("account.added");
  });
});

describe("what parseWebhookEvent refuses", () => {
  const { headers, body } = createSignedRequest("paystubs.added", { secret: SECRET });

  it("a wrong secret: 401 with the verification reason", () => {
    const error = rejection(() => parseWebhookEvent({ secret: "sk_other", headers, rawBody: body }));
    expect(error).toMatchObject({ name: "PinwheelWebhookError", reason: "bad_signature", status: 401 });
  });

  it("a stale timestamp: 401", () => {
    const old = createSignedRequest("paystubs.added", { secret: SECRET, timestamp: Math.floor(Date.now() / 1000) - 3_600 });
    expect(rejection(() => parseWebhookEvent({ secret: SECRET, headers: old.headers, rawBody: old.body }))).toMatchObject({ reason: "stale_timestamp", status: 401 });
  });

  it("an already-parsed body: 500, naming the framework fix", () => {
    const error = rejection(() => parseWebhookEvent({ secret: SECRET, headers, rawBody: JSON.parse(body) as never }));
    expect(error).toMatchObject({ reason: "parsed_body", status: 500 });
    expect(error.message).toMatch(/^rawBody is an object, not the request's bytes: a JSON parser already ran before verification/);
    expect(error.message).toContain("parseAs: 'buffer'");
  });

  it("a signed body that is not JSON: 400", () => {
    const t = Math.floor(Date.now() / 1000);
    const text = "not json";
    const result = safeParseWebhookEvent({
      secret: SECRET,
      headers: { "x-pinwheel-signature": signWebhook(SECRET, t, text), "x-timestamp": String(t) },
      rawBody: text,
    });
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.error).toMatchObject({ reason: "invalid_json", status: 400 });
  });

  it("a signed body that is JSON but not an envelope: 400 invalid_envelope, as listen answers", () => {
    const t = Math.floor(Date.now() / 1000);
    for (const text of ['[1]', '{"event":"income.added","payload":{}}', '{"event":"","event_id":"e","payload":{}}', '{"event":"income.added","event_id":"e","payload":[]}']) {
      const result = safeParseWebhookEvent({
        secret: SECRET,
        headers: { "x-pinwheel-signature": signWebhook(SECRET, t, text), "x-timestamp": String(t) },
        rawBody: text,
      });
      expect(result.ok, text).toBe(false);
      if (!result.ok) expect(result.error).toMatchObject({ reason: "invalid_envelope", status: 400 });
    }
  });
});

describe("what parseWebhookEvent accepts with issues (Pinwheel does not retry a 4XX)", () => {
  it("a signed event that breaks its schema: returned with the issues; strict: true refuses it with 400", () => {
    const broken = createSignedRequest("paystubs.fully_synced", { secret: SECRET, set: { "payload.params.count": "many" } });
    const e = parseWebhookEvent({ secret: SECRET, headers: broken.headers, rawBody: broken.body });
    expect(e).toMatchObject({ known: true, event: "paystubs.fully_synced", payload: { params: { count: "many" } } });
    expect(e.issues).toEqual([expect.objectContaining({ path: "payload.params.count" })]);
    const safe = safeParseWebhookEvent({ secret: SECRET, headers: broken.headers, rawBody: broken.body });
    expect(safe).toMatchObject({ ok: true, event: { issues: e.issues } });
    const error = rejection(() => parseWebhookEvent({ secret: SECRET, headers: broken.headers, rawBody: broken.body, strict: true }));
    expect(error).toMatchObject({ reason: "invalid_payload", status: 400 });
    expect(error.issues).toEqual(e.issues);
  });

  it("what the docs make optional, with no issue: an error outcome without error_type or error_code, no end_user_id, an event_id that is not a UUID", () => {
    const cases = [
      createSignedRequest("shifts.added", { secret: SECRET, outcome: "error", unset: ["payload.error_type", "payload.error_code"] }),
      createSignedRequest("verification_reports.refreshed", { secret: SECRET, unset: ["payload.end_user_id"] }),
      createSignedRequest({ event: "income.added", event_id: "evt_123", payload: createSignedRequest("income.added", { secret: SECRET }).event.payload }, { secret: SECRET }),
    ];
    for (const { headers, body } of cases) {
      const e = parseWebhookEvent({ secret: SECRET, headers, rawBody: body, strict: true });
      expect(e, body).toMatchObject({ known: true, issues: [] });
    }
  });
});

describe("a field the docs do not list", () => {
  it("is accepted as it arrived and reported in issues; strict: true refuses it", () => {
    const { headers, body } = createSignedRequest("income.added", { secret: SECRET, add: { "payload.new_field": { nested: true } } });
    const event = parseWebhookEvent({ secret: SECRET, headers, rawBody: body });
    expect(event).toMatchObject({ known: true, payload: { new_field: { nested: true } } });
    expect(event.issues).toEqual([{ path: "payload.new_field", message: "not in Pinwheel's docs for this event (a field added since?); accepted as it arrived" }]);
    expect(rejection(() => parseWebhookEvent({ secret: SECRET, headers, rawBody: body, strict: true }))).toMatchObject({ reason: "invalid_payload", status: 400 });
  });
});

describe("a handler without its secret", () => {
  const { headers, body } = createSignedRequest("income.added", { secret: SECRET });

  it("is refused with missing_secret (500: the handler's mistake) instead of accepting what anyone could sign", () => {
    const forged = createSignedRequest("income.added", { secret: "x" });
    for (const secret of ["", undefined, null]) {
      const options = { secret: secret as unknown as string, headers: { ...forged.headers, "x-pinwheel-signature": signWebhook("", forged.headers["x-timestamp"]!, forged.body) }, rawBody: forged.body };
      const result = safeParseWebhookEvent(options);
      expect(result.ok).toBe(false);
      const error = rejection(() => parseWebhookEvent(options));
      expect(error).toMatchObject({ reason: "missing_secret", status: 500 });
      expect(error.message).toMatch(/is PINWHEEL_API_SECRET set\?/);
    }
  });

  it("makes verifyWebhook throw a TypeError that says so", () => {
    expect(() => verifyWebhook({ secret: "", headers, rawBody: body })).toThrow(TypeError);
    expect(() => verifyWebhook({ secret: undefined as unknown as string, headers, rawBody: body })).toThrow(/no API secret to verify with/);
  });

  it("verifyWebhook takes the body as an ArrayBuffer too", () => {
    const bytes = new TextEncoder().encode(body);
    expect(verifyWebhook({ secret: SECRET, headers, rawBody: bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) }).ok).toBe(true);
  });
});

describe("a handler's options that cannot be used: 500 (Pinwheel retries), never a silent pass or a raw TypeError", () => {
  const { headers, body } = createSignedRequest("income.added", { secret: SECRET });
  const oldHeaders = createSignedRequest("income.added", { secret: SECRET, timestamp: Math.floor(Date.now() / 1000) - 30 * 86_400 }).headers;

  it("refuses a tolerance or clock that is not a number instead of letting a month-old replay through", () => {
    for (const bad of [{ toleranceSeconds: Number("5min") }, { toleranceSeconds: -1 }, { now: new Date("garbage") }, { now: "2026" as unknown as number }]) {
      const error = rejection(() => parseWebhookEvent({ secret: SECRET, headers: oldHeaders, rawBody: body, ...bad }));
      expect(error).toMatchObject({ reason: "invalid_options", status: 500 });
      expect(error.message).toMatch("toleranceSeconds" in bad ? /^toleranceSeconds must be a number of seconds, 0 or more; got (NaN|-1)$/ : /^now must be a Date or epoch milliseconds/);
      expect(() => verifyWebhook({ secret: SECRET, headers: oldHeaders, rawBody: body, ...bad })).toThrow(TypeError);
    }
  });

  it("refuses a strict that is not a boolean (\"false\" would refuse genuine events), in its own name", () => {
    const invalid = createSignedRequest("income.added", { secret: SECRET, set: { "payload.name": 7 } });
    for (const strict of ["false", "true", 0, 1, null, {}]) {
      const error = rejection(() => parseWebhookEvent({ secret: SECRET, headers: invalid.headers, rawBody: invalid.body, strict: strict as never }));
      expect(error, String(strict)).toMatchObject({ reason: "invalid_options", status: 500 });
      expect(error.message).toMatch(/^strict must be true or false; got /);
    }
    expect(rejection(() => parseWebhookEvent({ secret: SECRET, headers, rawBody: body, strict: "false" as never })).message).toBe('strict must be true or false; got "false"');
    expect(parseWebhookEvent({ secret: SECRET, headers: invalid.headers, rawBody: invalid.body, strict: false }).issues.length).toBeGreaterThan(0);
    expect(parseWebhookEvent({ secret: SECRET, headers, rawBody: body, strict: undefined }).known).toBe(true);
  });

  it("signWebhook, signedHeaders and createSignedRequest refuse options of the wrong type with a TypeError in their own names", () => {
    expect(() => signWebhook(SECRET, undefined as never, body)).toThrow(new TypeError("signWebhook(secret, timestamp, rawBody): timestamp must be Unix seconds, a number or the x-timestamp string; got undefined"));
    expect(() => signWebhook(SECRET, NaN, body)).toThrow(TypeError);
    expect(signWebhook(SECRET, "1700000000", body)).toBe(signWebhook(SECRET, 1700000000, body));
    for (const [options, message] of [
      [null, "options must be { timestamp?, webhookId? }; got null"],
      [{ timestamp: "1700000000" }, 'timestamp must be Unix seconds, a number; got "1700000000"'],
      [{ webhookId: 7 }, "webhookId must be a string; got 7"],
    ] as const) {
      expect(() => signedHeaders(SECRET, body, options as never)).toThrow(new TypeError(`signedHeaders(secret, rawBody, options?): ${message}`));
    }
    for (const [options, message] of [
      [{ accountId: 7 }, "accountId must be a string; got number"],
      [{ endUserId: null }, "endUserId must be a string; got object"],
      [{ set: [["payload.x", 1]] }, 'set must be an object of dotted paths and values, such as { "payload.params.count": 7 }; got an array'],
      [{ add: "payload.x=1" }, 'add must be an object of dotted paths and values, such as { "payload.params.count": 7 }; got string'],
      [{ unset: [7] }, 'unset must be an array of paths, such as ["payload.account_id"]; got an array holding a non-string'],
    ] as const) {
      expect(() => createSignedRequest("income.added", { secret: SECRET, ...(options as object) })).toThrow(new TypeError(`createSignedRequest: ${message}`));
    }
  });

  it("returns (does not throw) missing headers or options from safeParseWebhookEvent", () => {
    const noHeaders = safeParseWebhookEvent({ secret: SECRET, headers: undefined as unknown as Record<string, string>, rawBody: body });
    expect(noHeaders).toMatchObject({ ok: false, error: { reason: "invalid_options", status: 500 } });
    expect(noHeaders.ok ? "" : noHeaders.error.message).toMatch(/^headers must be the request's headers/);
    expect(safeParseWebhookEvent(undefined as unknown as { secret: string; headers: Record<string, string>; rawBody: string })).toMatchObject({ ok: false, error: { reason: "invalid_options" } });
  });

  it("takes a blank secret for a missing one, and a secret with whitespace around it that the delivery verifies without as the handler's mistake (500), not a forgery (401)", () => {
    expect(rejection(() => parseWebhookEvent({ secret: "   ", headers, rawBody: body }))).toMatchObject({ reason: "missing_secret", status: 500 });
    for (const padded of [`${SECRET}\n`, ` ${SECRET}`]) {
      const error = rejection(() => parseWebhookEvent({ secret: padded, headers, rawBody: body }));
      expect(error).toMatchObject({ reason: "invalid_options", status: 500 });
      expect(error.message).toMatch(/whitespace around it .* trim the secret/);
    }
    // A request signed with some other secret is still a forgery to the padded one.
    const forged = createSignedRequest("income.added", { secret: "another" });
    expect(rejection(() => parseWebhookEvent({ secret: `${SECRET}\n`, headers: forged.headers, rawBody: forged.body }))).toMatchObject({ reason: "bad_signature", status: 401 });
  });

  it("tells a body that was never read from a parsed one, and answers an unsigned request without a body 401, not 500", () => {
    const unread = rejection(() => parseWebhookEvent({ secret: SECRET, headers, rawBody: undefined as unknown as string }));
    expect(unread).toMatchObject({ reason: "parsed_body", status: 500 });
    expect(unread.message).toMatch(/^rawBody is undefined: the body was never read \(no raw body parser ran, or its type filter did not match/);
    const scanner = rejection(() => parseWebhookEvent({ secret: SECRET, headers: { "content-type": "text/plain" }, rawBody: undefined as unknown as string }));
    expect(scanner).toMatchObject({ reason: "missing_signature", status: 401 });
    expect(() => verifyWebhook({ secret: SECRET, headers, rawBody: JSON.parse(body) })).toThrow(/^rawBody is an object, not the request's bytes/);
  });
});

describe("what a proxy or a string body can change", () => {
  it("verifies a signature or timestamp header that came twice (joined with a comma, or as headersDistinct's array), and refuses two different timestamps", () => {
    const { headers, body } = createSignedRequest("income.added", { secret: SECRET });
    const signature = headers["x-pinwheel-signature"]!;
    const timestamp = headers["x-timestamp"]!;
    const joined = { ...headers, "x-pinwheel-signature": `${signature}, ${signature}`, "x-timestamp": `${timestamp}, ${timestamp}` };
    expect(parseWebhookEvent({ secret: SECRET, headers: joined, rawBody: body }).event).toBe("income.added");
    const distinct = { ...headers, "x-pinwheel-signature": [signWebhook("other", timestamp, body), signature], "x-timestamp": [timestamp] };
    expect(parseWebhookEvent({ secret: SECRET, headers: distinct, rawBody: body }).event).toBe("income.added");
    const error = rejection(() => parseWebhookEvent({ secret: SECRET, headers: { ...joined, "x-timestamp": `${timestamp}, 1700000000` }, rawBody: body }));
    expect(error).toMatchObject({ reason: "malformed_timestamp", message: "x-timestamp came more than once with different values" });
    // A malformed copy beside the genuine one is skipped; only copies that are all malformed are refused.
    expect(parseWebhookEvent({ secret: SECRET, headers: { ...joined, "x-pinwheel-signature": `${signature}, v2=nope` }, rawBody: body }).event).toBe("income.added");
    expect(rejection(() => parseWebhookEvent({ secret: SECRET, headers: { ...joined, "x-pinwheel-signature": "v2=nope, v1=also-not" }, rawBody: body }))).toMatchObject({
      reason: "malformed_signature",
      message: 'x-pinwheel-signature must be "v2=" and 64 hex characters (it came more than once)',
    });
  });

  it("takes a header a handler built as a number, bytes from another realm, and refuses req.rawHeaders and a clock in seconds as its own mistakes (500, not a 401 Pinwheel would not retry)", () => {
    const { headers, body } = createSignedRequest("income.added", { secret: SECRET });
    const numeric = { ...headers, "x-timestamp": Number(headers["x-timestamp"]) } as unknown as Record<string, string>;
    expect(safeParseWebhookEvent({ secret: SECRET, headers: numeric, rawBody: body }).ok).toBe(true);
    const foreign = runInNewContext("(bytes) => Uint8Array.from(bytes)")(Buffer.from(body)) as Uint8Array;
    expect(foreign instanceof Uint8Array).toBe(false);
    expect(safeParseWebhookEvent({ secret: SECRET, headers, rawBody: foreign }).ok).toBe(true);
    const foreignBuffer = runInNewContext("(bytes) => Uint8Array.from(bytes).buffer")(Buffer.from(body)) as ArrayBuffer;
    expect(safeParseWebhookEvent({ secret: SECRET, headers, rawBody: foreignBuffer }).ok).toBe(true);
    const raw = Object.entries(headers).flat() as unknown as Record<string, string>;
    expect(safeParseWebhookEvent({ secret: SECRET, headers: raw, rawBody: body })).toMatchObject({ ok: false, error: { reason: "invalid_options", status: 500, message: expect.stringContaining("req.rawHeaders") } });
    const inSeconds = safeParseWebhookEvent({ secret: SECRET, headers, rawBody: body, now: Math.floor(Date.now() / 1000) });
    expect(inSeconds).toMatchObject({ ok: false, error: { reason: "invalid_options", status: 500, message: expect.stringContaining("looks like seconds") } });
  });

  it("parses a string body that starts with a byte order mark, as it parses the same bytes given as a Buffer", () => {
    const { event } = createSignedRequest("income.added", { secret: SECRET });
    const body = `\uFEFF${JSON.stringify(event)}`;
    const timestamp = Math.floor(Date.now() / 1000);
    const headers = { "x-pinwheel-signature": signWebhook(SECRET, timestamp, body), "x-timestamp": String(timestamp) };
    expect(parseWebhookEvent({ secret: SECRET, headers, rawBody: body }).event_id).toBe(event.event_id);
    expect(parseWebhookEvent({ secret: SECRET, headers, rawBody: Buffer.from(body) }).event_id).toBe(event.event_id);
  });
});

describe("createSignedRequest's own checks", () => {
  it("refuses a path through __proto__, constructor or prototype instead of writing into every object", () => {
    for (const path of ["__proto__.polluted", "payload.constructor.prototype.polluted", "payload.__proto__"]) {
      expect(() => createSignedRequest("income.added", { secret: SECRET, add: { [path]: 1 } })).toThrow(
        new TypeError(`createSignedRequest: "add" ${path}: __proto__, constructor and prototype cannot be field names here`),
      );
      expect(() => createSignedRequest("income.added", { secret: SECRET, set: { [path]: 1 } })).toThrow(/"set" .*cannot be field names here/);
    }
    expect(({} as { polluted?: unknown }).polluted).toBeUndefined();
  });

  it("names now when it is not a time", () => {
    expect(() => createSignedRequest("income.added", { secret: SECRET, now: new Date("x") })).toThrow(
      new TypeError("createSignedRequest: now must be a Date or epoch milliseconds; got an invalid Date"),
    );
  });
});
