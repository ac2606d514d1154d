/**
 * listen and the library read a signed body one way (src/events/json-text.ts): the same bytes get
 * the same status from both, a byte order mark is ignored, and bytes that are not UTF-8 are not
 * JSON (a lossy decode used to store them as a valid event).
 */
import { describe, expect, it } from "vitest";
import { createSignedRequest, safeParseWebhookEvent } from "../../src/index.js";
import { classifyRequest } from "../../src/receiver/classify.js";
import { signWebhook } from "../../src/signing.js";

const SECRET = "classify-parity-secret";

function both(body: Buffer) {
  const { headers } = createSignedRequest("income.added", { secret: SECRET });
  const signed = { ...headers, "x-pinwheel-signature": signWebhook(SECRET, headers["x-timestamp"]!, body) };
  const verdict = classifyRequest({ method: "POST", headers: signed, body, tooLarge: false }, { secret: SECRET, toleranceSeconds: 300, skipVerify: false, now: Date.now() });
  const parsed = safeParseWebhookEvent({ secret: SECRET, headers: signed, rawBody: body });
  return { listen: verdict.statusCode, library: parsed.ok ? 200 : parsed.error.status, errorCode: verdict.errorCode };
}

describe("listen's verdict and the library's on the same signed bytes", () => {
  const genuine = Buffer.from(createSignedRequest("income.added", { secret: SECRET }).body);

  it.each([
    ["a genuine event", genuine, 200],
    ["the same event after a UTF-8 byte order mark", Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), genuine]), 200],
    ["a Latin-1 byte inside a string (not UTF-8)", Buffer.from(genuine.toString("utf8").replace('"income.added"', '"inc\u00e9me.added"'), "latin1"), 400],
    ["an empty body", Buffer.alloc(0), 400],
    ["JSON that is no envelope", Buffer.from("[1,2]"), 400],
  ])("%s", (_name, body, status) => {
    const answers = both(body);
    expect(answers.listen).toBe(status);
    expect(answers.library).toBe(status);
  });

  it("calls bytes that are not UTF-8 invalid JSON and says why", () => {
    const latin1 = Buffer.from('{"event":"income.added","event_id":"e","payload":{"n":"caf\xe9"}}', "latin1");
    const { headers } = createSignedRequest("income.added", { secret: SECRET });
    const signed = { ...headers, "x-pinwheel-signature": signWebhook(SECRET, headers["x-timestamp"]!, latin1) };
    const verdict = classifyRequest({ method: "POST", headers: signed, body: latin1, tooLarge: false }, { secret: SECRET, toleranceSeconds: 300, skipVerify: false, now: Date.now() });
    expect(verdict).toMatchObject({ statusCode: 400, errorCode: "invalid_json", rejection: expect.stringContaining("not UTF-8") });
  });
});
