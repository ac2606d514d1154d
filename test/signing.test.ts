import { describe, expect, it } from "vitest";
import {
  DEFAULT_TOLERANCE_SECONDS,
  SIGNATURE_HEADER,
  TIMESTAMP_HEADER,
  WEBHOOK_ID_HEADER,
  signWebhook,
  signedHeaders,
  verifyWebhook,
  type HeaderBag,
  type RawBody,
  type VerificationResult,
} from "../src/signing.js";

/*
 * Fixed vectors, computed OUTSIDE the code under test with OpenSSL over the exact message bytes
 * "v2:<timestamp>:" + body (FACTS.md), e.g.
 *
 *   printf 'v2:%s:%s' 1700000000 '{"name":"Zoë ☕ 日本"}' | openssl dgst -sha256 -hmac 'whsec_test_secret_123' -r
 *
 * (byte bodies written with printf '\xff\xfe\x00\x7b'; the shell and this file are UTF-8).
 * Never regenerate them with signWebhook: they exist to catch a signer that agrees with itself.
 */
const SECRET = "whsec_test_secret_123";
const TIMESTAMP = 1700000000;
const NOW_MS = TIMESTAMP * 1000;

interface Vector {
  name: string;
  secret: string;
  body: RawBody;
  hex: string;
}

const VECTORS: Vector[] = [
  {
    name: "ASCII JSON body",
    secret: SECRET,
    body: '{"event":"paystubs.fully_synced","event_id":"5a141122-4235-4fa1-bd76-0628573880b0","payload":{"account_id":"03f5f6f4-1d3b-4a4a-9a0e-6b4b0b5b8a11"}}',
    hex: "63f417c5de8737f15d407d947592d7d50bb4f28821a74e7880a883d6f3cb5a5a",
  },
  {
    name: "unicode body (UTF-8 multibyte)",
    secret: SECRET,
    body: '{"name":"Zoë ☕ 日本"}',
    hex: "00c93dcff3c0fd638b581cb11efee5e8b89158b91d0c9837737792751ebea2cc",
  },
  {
    name: "odd whitespace (leading spaces, tabs, CRLF, trailing newline)",
    secret: SECRET,
    body: '  {\t"a": 1,\r\n\t"b" :\t[ 1 , 2 ]\r\n}\n',
    hex: "782b95a753937f1494711749d31e4b5dd98b737a01b4a131edd9988eda2978d8",
  },
  {
    name: "empty body",
    secret: SECRET,
    body: "",
    hex: "b92842a9b5e370295fd0fd7ac40f750aab74d768853da40d2d73bafd1b154d2b",
  },
  {
    name: "non-UTF-8 bytes as a Uint8Array",
    secret: SECRET,
    body: new Uint8Array([0xff, 0xfe, 0x00, 0x7b]),
    hex: "fa2475f6bf5152d8653ffe16f8897d2b72fed84c135cadd5800d4bf71a37bd79",
  },
  {
    name: "unicode secret",
    secret: "clé-secrète-🔑",
    body: '{"ok":true}',
    hex: "dc8cbcbb542464fba1ce2a2b99756096b2331c5483f44cd0a712e2858e77bb36",
  },
];

const ASCII = VECTORS[0]!;
const WHITESPACE = VECTORS[2]!;

function headersFor(signature: string | undefined, timestamp: string | undefined): Record<string, string> {
  const headers: Record<string, string> = {};
  if (signature !== undefined) headers[SIGNATURE_HEADER] = signature;
  if (timestamp !== undefined) headers[TIMESTAMP_HEADER] = timestamp;
  return headers;
}

function verify(overrides: { headers?: HeaderBag; rawBody?: RawBody; secret?: string; now?: Date | number; toleranceSeconds?: number } = {}): VerificationResult {
  return verifyWebhook({
    secret: overrides.secret ?? ASCII.secret,
    headers: overrides.headers ?? headersFor(`v2=${ASCII.hex}`, String(TIMESTAMP)),
    rawBody: overrides.rawBody ?? ASCII.body,
    now: overrides.now ?? NOW_MS,
    ...(overrides.toleranceSeconds === undefined ? {} : { toleranceSeconds: overrides.toleranceSeconds }),
  });
}

function expectFailure(result: VerificationResult, reason: string): string {
  expect(result).toMatchObject({ ok: false, reason });
  return result.ok ? "" : result.message;
}

describe("signWebhook: fixed vectors computed with openssl", () => {
  it.each(VECTORS)("$name", ({ secret, body, hex }) => {
    expect(signWebhook(secret, TIMESTAMP, body)).toBe(`v2=${hex}`);
    // The timestamp is used as sent: a number and its decimal string sign the same message.
    expect(signWebhook(secret, String(TIMESTAMP), body)).toBe(`v2=${hex}`);
  });

  it("signs a string body and its UTF-8 bytes identically", () => {
    const unicode = VECTORS[1]!;
    expect(signWebhook(SECRET, TIMESTAMP, Buffer.from(unicode.body as string, "utf8"))).toBe(`v2=${unicode.hex}`);
    expect(signWebhook(SECRET, TIMESTAMP, new TextEncoder().encode(unicode.body as string))).toBe(`v2=${unicode.hex}`);
  });

  it("has the documented format: v2= and 64 lowercase hex characters", () => {
    for (const { secret, body } of VECTORS) {
      expect(signWebhook(secret, TIMESTAMP, body)).toMatch(/^v2=[0-9a-f]{64}$/);
    }
  });

  it("depends on the secret, the timestamp and every body byte", () => {
    const base = signWebhook(SECRET, TIMESTAMP, ASCII.body);
    expect(signWebhook(`${SECRET}x`, TIMESTAMP, ASCII.body)).not.toBe(base);
    expect(signWebhook(SECRET, TIMESTAMP + 1, ASCII.body)).not.toBe(base);
    expect(signWebhook(SECRET, TIMESTAMP, `${ASCII.body as string} `)).not.toBe(base);
  });

  it("signedHeaders gives content-type, the signature, x-timestamp and the webhook id", () => {
    const headers = signedHeaders(SECRET, ASCII.body, { timestamp: TIMESTAMP, webhookId: "wh-1" });
    expect(headers).toEqual({
      "content-type": "application/json",
      [SIGNATURE_HEADER]: `v2=${ASCII.hex}`,
      [TIMESTAMP_HEADER]: String(TIMESTAMP),
      [WEBHOOK_ID_HEADER]: "wh-1",
    });
    const now = signedHeaders(SECRET, "{}");
    expect(now[TIMESTAMP_HEADER]).toMatch(/^\d{10}$/);
    expect(Math.abs(Number(now[TIMESTAMP_HEADER]) - Date.now() / 1000)).toBeLessThan(5);
    expect(now).not.toHaveProperty(WEBHOOK_ID_HEADER);
  });

  // From JavaScript, one options object (as createSignedRequest takes) reached node:crypto, whose
  // ERR_INVALID_ARG_TYPE spoke of a "key" argument the caller never passed.
  it("refuses arguments in the wrong shape with a TypeError in its own terms", () => {
    const call = (fn: () => unknown) => {
      try {
        fn();
      } catch (error) {
        return { type: (error as Error).constructor.name, message: (error as Error).message };
      }
      return undefined;
    };
    const loose = { signedHeaders: signedHeaders as (...args: unknown[]) => unknown, signWebhook: signWebhook as (...args: unknown[]) => unknown };
    expect(call(() => loose.signedHeaders({ secret: SECRET, body: "{}", timestamp: TIMESTAMP }))).toEqual({
      type: "TypeError",
      message: "signedHeaders(secret, rawBody, options?) takes its arguments in that order, not one options object",
    });
    expect(call(() => loose.signWebhook({ secret: SECRET, timestamp: TIMESTAMP, body: "{}" }))).toEqual({
      type: "TypeError",
      message: "signWebhook(secret, timestamp, rawBody) takes its arguments in that order, not one options object",
    });
    expect(call(() => loose.signedHeaders(undefined, "{}"))).toEqual({ type: "TypeError", message: "signedHeaders(secret, rawBody, options?): secret must be a string; got undefined" });
    expect(call(() => loose.signWebhook(SECRET, TIMESTAMP, { event: "income.added" }))).toEqual({
      type: "TypeError",
      message: "signWebhook(secret, timestamp, rawBody): rawBody must be the body's bytes or text (a Buffer, Uint8Array or string); got an object",
    });
    const looseVerify = verifyWebhook as (...args: unknown[]) => unknown;
    expect(call(() => looseVerify(SECRET, { [SIGNATURE_HEADER]: "v2=00" }, "{}"))).toEqual({
      type: "TypeError",
      message: "verifyWebhook takes one options object { secret, headers, rawBody }; got a string",
    });
    // An empty key is still a key: the conformance suite signs with one to forge.
    expect(signWebhook("", TIMESTAMP, "{}")).toMatch(/^v2=[0-9a-f]{64}$/);
  });
});

describe("verifyWebhook", () => {
  describe("accepts every fixed vector", () => {
    it.each(VECTORS)("$name", ({ secret, body, hex }) => {
      const result = verifyWebhook({ secret, headers: headersFor(`v2=${hex}`, String(TIMESTAMP)), rawBody: body, now: NOW_MS });
      expect(result).toEqual({ ok: true, timestamp: TIMESTAMP });
    });
  });

  it("accepts now as a Date", () => {
    expect(verify({ now: new Date(NOW_MS) })).toEqual({ ok: true, timestamp: TIMESTAMP });
  });

  describe("headers", () => {
    it("reads a plain object with mixed-case names", () => {
      const headers = { "X-Pinwheel-Signature": `v2=${ASCII.hex}`, "X-TIMESTAMP": String(TIMESTAMP), "Content-Type": "application/json" };
      expect(verify({ headers })).toEqual({ ok: true, timestamp: TIMESTAMP });
    });

    it("reads a fetch Headers instance", () => {
      const headers = new Headers({ "X-Pinwheel-Signature": `v2=${ASCII.hex}`, "X-Timestamp": String(TIMESTAMP) });
      expect(verify({ headers })).toEqual({ ok: true, timestamp: TIMESTAMP });
      const tampered = new Headers({ "X-Pinwheel-Signature": `v2=${ASCII.hex}`, "X-Timestamp": String(TIMESTAMP + 1) });
      expectFailure(verify({ headers: tampered }), "bad_signature");
    });

    it("reads node's array form (a header sent twice) by its first value", () => {
      const headers = { [SIGNATURE_HEADER]: [`v2=${ASCII.hex}`, `v2=${"0".repeat(64)}`], [TIMESTAMP_HEADER]: String(TIMESTAMP) };
      expect(verify({ headers })).toEqual({ ok: true, timestamp: TIMESTAMP });
    });
  });

  describe("missing and malformed signatures", () => {
    it("missing_signature when the header is absent or empty", () => {
      expect(expectFailure(verify({ headers: headersFor(undefined, String(TIMESTAMP)) }), "missing_signature")).toContain(SIGNATURE_HEADER);
      expectFailure(verify({ headers: headersFor("", String(TIMESTAMP)) }), "missing_signature");
      expectFailure(verify({ headers: new Headers({ [TIMESTAMP_HEADER]: String(TIMESTAMP) }) }), "missing_signature");
    });

    it.each([
      ["no v2= prefix", ASCII.hex],
      ["another scheme", `v1=${ASCII.hex}`],
      ["too short", `v2=${ASCII.hex.slice(0, 63)}`],
      ["too long", `v2=${ASCII.hex}0`],
      ["non-hex characters", `v2=${"g".repeat(64)}`],
      ["base64 instead of hex", `v2=${Buffer.from(ASCII.hex, "hex").toString("base64")}`],
    ])("malformed_signature: %s", (_label, signature) => {
      expectFailure(verify({ headers: headersFor(signature, String(TIMESTAMP)) }), "malformed_signature");
    });
  });

  describe("bad signatures", () => {
    it("one byte of the body changed", () => {
      const body = ASCII.body as string;
      const changed = body.replace("paystubs", "paystubz");
      expect(changed).not.toBe(body);
      expectFailure(verify({ rawBody: changed }), "bad_signature");
    });

    it("one bit of a byte body changed", () => {
      const bytes = VECTORS[4]!;
      const changed = new Uint8Array([0xff, 0xfe, 0x00, 0x7a]);
      const result = verifyWebhook({
        secret: SECRET,
        headers: headersFor(`v2=${bytes.hex}`, String(TIMESTAMP)),
        rawBody: changed,
        now: NOW_MS,
      });
      expectFailure(result, "bad_signature");
    });

    it("wrong secret", () => {
      expectFailure(verify({ secret: `${SECRET}-other` }), "bad_signature");
    });

    it("no secret at all is the caller's mistake, thrown, never a verdict (an empty key is one anybody can sign with)", () => {
      expect(() => verify({ secret: "" })).toThrow(/no API secret to verify with/);
    });

    it("timestamp changed (still fresh)", () => {
      expectFailure(verify({ headers: headersFor(`v2=${ASCII.hex}`, String(TIMESTAMP + 1)) }), "bad_signature");
    });

    it("compares over the raw bytes: the re-serialized JSON of a whitespace body does not verify", () => {
      const headers = headersFor(`v2=${WHITESPACE.hex}`, String(TIMESTAMP));
      expect(verify({ headers, rawBody: WHITESPACE.body })).toEqual({ ok: true, timestamp: TIMESTAMP });
      const reserialized = JSON.stringify(JSON.parse(WHITESPACE.body as string));
      expect(reserialized).toBe('{"a":1,"b":[1,2]}');
      expectFailure(verify({ headers, rawBody: reserialized }), "bad_signature");
      // Decoding invalid UTF-8 to a string and back is lossy, and must not verify either.
      const bytes = VECTORS[4]!;
      const decoded = Buffer.from(bytes.body as Uint8Array).toString("utf8");
      expectFailure(
        verifyWebhook({ secret: SECRET, headers: headersFor(`v2=${bytes.hex}`, String(TIMESTAMP)), rawBody: decoded, now: NOW_MS }),
        "bad_signature",
      );
    });

    it("is checked before freshness: a forged stale request reads bad_signature", () => {
      expectFailure(verify({ secret: "nope", now: NOW_MS + 3_600_000 }), "bad_signature");
    });
  });

  describe("timestamps", () => {
    it("missing_timestamp when x-timestamp is absent or empty", () => {
      expect(expectFailure(verify({ headers: headersFor(`v2=${ASCII.hex}`, undefined) }), "missing_timestamp")).toContain(TIMESTAMP_HEADER);
      expectFailure(verify({ headers: headersFor(`v2=${ASCII.hex}`, "") }), "missing_timestamp");
    });

    it.each([
      ["non-numeric", "yesterday"],
      ["negative", "-1700000000"],
      ["fractional", "1700000000.5"],
      ["exponent", "1.7e9"],
      ["ISO date", "2023-11-14T22:13:20Z"],
    ])("malformed_timestamp: %s", (_label, timestamp) => {
      const signature = signWebhook(SECRET, timestamp, ASCII.body);
      expectFailure(verify({ headers: headersFor(signature, timestamp) }), "malformed_timestamp");
    });

    it("stale_timestamp: older than the tolerance", () => {
      const message = expectFailure(verify({ now: NOW_MS + (DEFAULT_TOLERANCE_SECONDS + 60) * 1000 }), "stale_timestamp");
      expect(message).toMatch(/old/);
      expect(message).toContain("360");
    });

    it("stale_timestamp: just past the tolerance is never rounded onto it", () => {
      expect(expectFailure(verify({ now: NOW_MS + (DEFAULT_TOLERANCE_SECONDS + 0.4) * 1000 }), "stale_timestamp")).toBe("timestamp more than 300 s old; tolerance 300 s");
      expect(expectFailure(verify({ now: NOW_MS - (DEFAULT_TOLERANCE_SECONDS + 0.4) * 1000 }), "stale_timestamp")).toBe("timestamp more than 300 s in the future; tolerance 300 s");
    });

    it("stale_timestamp: in the future beyond the tolerance", () => {
      const message = expectFailure(verify({ now: NOW_MS - (DEFAULT_TOLERANCE_SECONDS + 60) * 1000 }), "stale_timestamp");
      expect(message).toMatch(/future/);
    });

    it("stale_timestamp: a milliseconds timestamp says so", () => {
      const millis = String(NOW_MS);
      const signature = signWebhook(SECRET, millis, ASCII.body);
      const message = expectFailure(verify({ headers: headersFor(signature, millis) }), "stale_timestamp");
      expect(message).toMatch(/milliseconds/);
    });

    it("the default tolerance is 300 s, inclusive, in both directions", () => {
      expect(DEFAULT_TOLERANCE_SECONDS).toBe(300);
      expect(verify({ now: NOW_MS + 300_000 })).toEqual({ ok: true, timestamp: TIMESTAMP });
      expectFailure(verify({ now: NOW_MS + 301_000 }), "stale_timestamp");
      expect(verify({ now: NOW_MS - 300_000 })).toEqual({ ok: true, timestamp: TIMESTAMP });
      expectFailure(verify({ now: NOW_MS - 301_000 }), "stale_timestamp");
    });

    it("honours a custom tolerance at its boundary", () => {
      expect(verify({ toleranceSeconds: 60, now: NOW_MS + 60_000 })).toEqual({ ok: true, timestamp: TIMESTAMP });
      expectFailure(verify({ toleranceSeconds: 60, now: NOW_MS + 61_000 }), "stale_timestamp");
      expectFailure(verify({ toleranceSeconds: 60, now: NOW_MS - 61_000 }), "stale_timestamp");
    });
  });
});
