/**
 * What a handler wired into Express, Fastify, Koa or Hono hands parseWebhookEvent when a
 * middleware got to the body first, or when an anonymous request reaches a correctly wired route:
 * the body is blamed (500, retried) only for what could be a genuine delivery.
 */
import { describe, expect, it } from "vitest";
import { createSignedRequest, parseWebhookEvent, PinwheelWebhookError, safeParseWebhookEvent } from "../../src/index.js";

const SECRET = "sk_wiring_test_5c1d";

function rejection(run: () => unknown): PinwheelWebhookError {
  try {
    run();
  } catch (error) {
    if (error instanceof PinwheelWebhookError) return error;
    throw error;
  }
  throw new Error("expected a PinwheelWebhookError");
}

const signed = () => createSignedRequest("income.added", { secret: SECRET });

describe("an empty body under a well-formed, fresh signature (a middleware read the stream first)", () => {
  it("answers 500 parsed_body saying the body is empty, not 401 blaming the secret", () => {
    const { headers } = signed();
    for (const rawBody of ["", Buffer.alloc(0), new Uint8Array(0), new ArrayBuffer(0)]) {
      const error = rejection(() => parseWebhookEvent({ secret: SECRET, headers, rawBody }));
      expect(error).toMatchObject({ reason: "parsed_body", status: 500 });
      expect(error.message).toMatch(/^the body is empty: another middleware already read the request stream/);
      expect(error.message).toContain("pass the raw bytes");
    }
  });

  it("a detached ArrayBuffer (transferred elsewhere) reads as empty: an error result, never a thrown TypeError", () => {
    const { headers, body } = signed();
    const bytes = new TextEncoder().encode(body).buffer;
    structuredClone(bytes, { transfer: [bytes] });
    const result = safeParseWebhookEvent({ secret: SECRET, headers, rawBody: bytes });
    expect(result).toMatchObject({ ok: false, error: { reason: "parsed_body", status: 500 } });
  });

  it("stays the signature's failure when the signature is junk, the timestamp missing or stale", () => {
    const { headers } = signed();
    const stale = createSignedRequest("income.added", { secret: SECRET, timestamp: Math.floor(Date.now() / 1000) - 3_600 });
    expect(rejection(() => parseWebhookEvent({ secret: SECRET, headers: { ...headers, "x-pinwheel-signature": "junk" }, rawBody: "" }))).toMatchObject({ reason: "malformed_signature", status: 401 });
    expect(rejection(() => parseWebhookEvent({ secret: SECRET, headers: { "x-pinwheel-signature": headers["x-pinwheel-signature"]! }, rawBody: "" }))).toMatchObject({ reason: "missing_timestamp", status: 401 });
    expect(rejection(() => parseWebhookEvent({ secret: SECRET, headers: stale.headers, rawBody: "" }))).toMatchObject({ reason: "bad_signature", status: 401 });
    expect(rejection(() => parseWebhookEvent({ secret: SECRET, headers: {}, rawBody: "" }))).toMatchObject({ reason: "missing_signature", status: 401 });
  });
});

describe("a body that is not bytes: 500 only when the request could be a genuine delivery", () => {
  it("an anonymous text/plain request with a junk signature (express.raw's type filter skipped it) answers 401 malformed_signature, not 500", () => {
    const headers = { "content-type": "text/plain", "x-pinwheel-signature": "junk" };
    for (const rawBody of [undefined, {}]) {
      expect(rejection(() => parseWebhookEvent({ secret: SECRET, headers, rawBody: rawBody as never }))).toMatchObject({ reason: "malformed_signature", status: 401 });
    }
  });

  it("a well-formed signature without a timestamp, or with a stale or malformed one, answers that failure (401)", () => {
    const { headers, body } = signed();
    const parsed = JSON.parse(body) as never;
    const signature = headers["x-pinwheel-signature"]!;
    const old = String(Math.floor(Date.now() / 1000) - 3_600);
    expect(rejection(() => parseWebhookEvent({ secret: SECRET, headers: { "x-pinwheel-signature": signature }, rawBody: parsed }))).toMatchObject({ reason: "missing_timestamp", status: 401 });
    expect(rejection(() => parseWebhookEvent({ secret: SECRET, headers: { ...headers, "x-timestamp": old }, rawBody: parsed }))).toMatchObject({ reason: "stale_timestamp", status: 401 });
    expect(rejection(() => parseWebhookEvent({ secret: SECRET, headers: { ...headers, "x-timestamp": "soon" }, rawBody: parsed }))).toMatchObject({ reason: "malformed_timestamp", status: 401 });
  });

  it("a well-formed signature and a fresh timestamp with a parsed body is the handler's bug: 500 parsed_body", () => {
    const { headers, body } = signed();
    expect(rejection(() => parseWebhookEvent({ secret: SECRET, headers, rawBody: JSON.parse(body) as never }))).toMatchObject({ reason: "parsed_body", status: 500 });
    expect(rejection(() => parseWebhookEvent({ secret: SECRET, headers, rawBody: undefined as never }))).toMatchObject({ reason: "parsed_body", status: 500 });
  });

  it("a plain object says an earlier JSON parser ran and to mount the route before it, not to add the express.raw the route already has", () => {
    const { headers, body } = signed();
    const error = rejection(() => parseWebhookEvent({ secret: SECRET, headers, rawBody: JSON.parse(body) as never }));
    expect(error.message).toMatch(/^rawBody is an object, not the request's bytes: a JSON parser already ran before verification \(e\.g\. app\.use\(express\.json\(\)\)/);
    expect(error.message).toMatch(/Mount the webhook route before that parser or exclude its path from it/);
    expect(error.message).not.toContain("express.raw({");
  });

  it("a Blob or a SharedArrayBuffer says which types are accepted, not that the framework parsed the JSON", () => {
    const { headers, body } = signed();
    const shared = new SharedArrayBuffer(4);
    for (const [rawBody, name] of [[new Blob([body]), "a Blob"], [shared, "a SharedArrayBuffer"]] as const) {
      const error = rejection(() => parseWebhookEvent({ secret: SECRET, headers, rawBody: rawBody as never }));
      expect(error).toMatchObject({ reason: "parsed_body", status: 500 });
      expect(error.message).toMatch(new RegExp(`^rawBody is ${name}, not bytes verification can read: pass the body's bytes as a Buffer, Uint8Array \\(or another typed array or DataView\\), ArrayBuffer or string`));
      expect(error.message).not.toMatch(/parsed the JSON/);
    }
  });

  it("accepts a DataView or another typed array over the body's bytes (their own bytes, not the whole buffer)", () => {
    const { headers, body } = signed();
    const pooled = Buffer.from(`xx${body}yy`);
    const offset = pooled.byteOffset + 2;
    const length = Buffer.byteLength(body);
    for (const rawBody of [new DataView(pooled.buffer, offset, length), new Int8Array(pooled.buffer, offset, length), new Uint8ClampedArray(pooled.buffer, offset, length)]) {
      expect(parseWebhookEvent({ secret: SECRET, headers, rawBody })).toMatchObject({ known: true, event: "income.added", issues: [] });
    }
  });
});

describe("an anonymous request with a forged, well-formed signature and a fresh timestamp cannot make a correct handler answer 500", () => {
  // Signed with a secret that is not the handler's: well-formed and fresh, as anyone can make one.
  const forged = (headers: Record<string, string>) => ({ ...createSignedRequest("income.added", { secret: "sk_not_the_handlers" }).headers, ...headers });

  it("a text/plain body or none declared (express.raw({ type: 'application/json' }) leaves it unread) answers 401, saying it is no JSON delivery", () => {
    for (const headers of [forged({ "content-type": "text/plain" }), forged({ "content-type": "" }), { ...forged({}), "content-type": undefined } as never]) {
      const error = rejection(() => parseWebhookEvent({ secret: SECRET, headers, rawBody: undefined as never }));
      expect(error).toMatchObject({ reason: "bad_signature", status: 401 });
      expect(error.message).toMatch(/declares no JSON body .*not a delivery of Pinwheel's/);
    }
  });

  it("an empty body declared empty (content-length: 0) answers 401, not parsed_body", () => {
    const request = new Request("http://127.0.0.1/webhooks", { method: "POST", headers: forged({ "content-length": "0" }) });
    expect(rejection(() => parseWebhookEvent({ secret: SECRET, headers: request.headers, rawBody: "" }))).toMatchObject({ reason: "bad_signature", status: 401 });
  });

  it("a JSON body declared non-empty that reached the handler empty or parsed is still the handler's (500): a middleware read it", () => {
    const { headers, body } = signed();
    const declared = { ...headers, "content-type": "application/json; charset=utf-8", "content-length": String(Buffer.byteLength(body)) };
    expect(rejection(() => parseWebhookEvent({ secret: SECRET, headers: declared, rawBody: "" }))).toMatchObject({ reason: "parsed_body", status: 500 });
    expect(rejection(() => parseWebhookEvent({ secret: SECRET, headers: declared, rawBody: JSON.parse(body) as never }))).toMatchObject({ reason: "parsed_body", status: 500 });
  });
});

describe("bad_signature says what usually causes it", () => {
  it("names another environment's secret, a body changed before verifying, and a Buffer's whole .buffer", () => {
    const { headers, body } = signed();
    const error = rejection(() => parseWebhookEvent({ secret: "sk_other_environment", headers, rawBody: body }));
    expect(error).toMatchObject({ reason: "bad_signature", status: 401 });
    expect(error.message).toMatch(/^signature does not match the body and timestamp: usually a secret from another environment/);
    expect(error.message).toMatch(/re-serialized by a JSON parser, or converted to a string/);
    expect(error.message).toMatch(/a Buffer's whole \.buffer passed instead of its bytes/);
  });
});

describe("safeParseWebhookEvent never throws", () => {
  it("returns an error result for headers whose get() throws", () => {
    const { body } = signed();
    const headers = {
      get(): string | null {
        throw new Error("headers already sent");
      },
    };
    const result = safeParseWebhookEvent({ secret: SECRET, headers, rawBody: body });
    expect(result).toMatchObject({ ok: false, error: { name: "PinwheelWebhookError", reason: "invalid_options", status: 500 } });
    expect(result.ok ? "" : result.error.message).toMatch(/^reading the options or the request's headers threw: headers already sent$/);
  });
});
