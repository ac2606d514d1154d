import { describe, expect, it } from "vitest";
import { printRequestDetail } from "../../src/output/request-detail.js";
import { SHOWN_BODY_CHARACTERS } from "../../src/output/stored.js";
import type { StoredRequest } from "../../src/store/requests.js";
import { capturedOutput } from "../helpers/captured-output.js";
import { recordedAttempt } from "../helpers/recorded-attempts.js";
import { storedRow } from "../helpers/stored-requests.js";

const ENVELOPE = '{"event":"income.added","event_id":"ev-1","payload":{}}';

function storedRequest(fields: Partial<StoredRequest> = {}): StoredRequest {
  return { ...storedRow("ev-1", { receivedAt: "2025-12-01T14:40:00.123Z", body: Buffer.from(ENVELOPE), bodySize: ENVELOPE.length }), id: 7, duplicate: false, ...fields };
}

const attempt = recordedAttempt({ source: "replay", requestId: 7, attempt: 2, startedAt: "2025-12-01T14:41:00.000Z", durationMs: 12, statusCode: 500 });

describe("printRequestDetail", () => {
  it("shows the request's verdict, schema, headers, body and the deliveries of its event_id", async () => {
    const { out, lines } = await capturedOutput();
    printRequestDetail(out, storedRequest({ duplicate: true }), [attempt]);
    expect(lines()).toEqual([
      "#7  income.added  answered 200",
      "  event_id    ev-1  (duplicate: seen before)",
      "  received    2025-12-01T14:40:00.123Z  from 127.0.0.1",
      "  request     POST /",
      "  signature   verified",
      "  schema      valid",
      "",
      "Headers",
      "  content-type: application/json",
      "",
      `Body (${ENVELOPE.length} bytes)`,
      "{",
      '  "event": "income.added",',
      '  "event_id": "ev-1",',
      '  "payload": {}',
      "}",
      "",
      "Deliveries of this request and its event_id",
      "  2025-12-01T14:41:00.000Z  replay  attempt 2  500  12 ms  → http://127.0.0.1:3000/",
    ]);
  });

  it("names a failed verdict, the rejection and each schema issue; a request without an event has no schema line", async () => {
    const { out, lines } = await capturedOutput();
    printRequestDetail(
      out,
      storedRequest({
        verification: "bad_signature",
        verificationDetail: "x\u001b[31m",
        statusCode: 401,
        rejection: "signature mismatch",
        schemaErrors: [{ path: "payload.amount", message: "expected number" }],
      }),
      [],
    );
    expect(lines().slice(4, 8)).toEqual([
      "  signature   bad_signature (x\\x1b[31m)",
      "  rejected    signature mismatch",
      "  schema      1 issue",
      "              payload.amount: expected number",
    ]);
    const { out: bare, lines: bareLines } = await capturedOutput();
    printRequestDetail(bare, storedRequest({ event: null, eventId: null, remoteAddress: null, bodyTruncated: true }), []);
    expect(bareLines().slice(0, 5)).toEqual(["#7  (no event)  answered 200", "  event_id    -", "  received    2025-12-01T14:40:00.123Z  from ?", "  request     POST /", "  signature   verified"]);
    expect(bareLines()).toContain(`Body (${ENVELOPE.length} bytes, truncated to the first MiB)`);
    expect(bareLines().some((line) => line.includes("schema"))).toBe(false);
  });

  it("says the schema was not checked, not that it is valid, when the body is no envelope the receiver validates", async () => {
    const schemaLine = async (fields: Partial<StoredRequest>) => {
      const { out, lines } = await capturedOutput();
      printRequestDetail(out, storedRequest(fields), []);
      return lines().find((line) => line.startsWith("  schema"));
    };
    // Unsigned, so the 401 came first and no rejected line names the envelope's problem.
    expect(await schemaLine({ verification: "missing_signature", statusCode: 401, body: Buffer.from('{"event":"income.added"}') })).toBe(
      "  schema      not checked: the envelope lacks event_id (non-empty string), payload (object)",
    );
    expect(await schemaLine({ statusCode: 400, rejection: "the envelope lacks payload (object)", body: Buffer.from('{"event":"income.added","event_id":"e"}') })).toBe(
      "  schema      not checked: the envelope was refused",
    );
    expect(await schemaLine({ body: Buffer.from("{not json") })).toBe("  schema      not checked: the body is not JSON");
    expect(await schemaLine({ bodyTruncated: true })).toBe("  schema      not checked: the body was stored truncated");
    expect(await schemaLine({})).toBe("  schema      valid");
  });

  it("cuts a body longer than a terminal wants after 64 KiB of characters, saying how much more --json has", async () => {
    const big = Buffer.from("a".repeat(SHOWN_BODY_CHARACTERS + 1234));
    const { out, lines } = await capturedOutput();
    printRequestDetail(out, storedRequest({ body: big, bodySize: big.length, event: null }), []);
    const shown = lines();
    expect(shown).toContain("a".repeat(SHOWN_BODY_CHARACTERS));
    expect(shown).toContain("… 1,234 more characters (--json has the whole body, as body_base64)");
  });

  it("says that a genuine event with schema issues was accepted all the same", async () => {
    const { out, lines } = await capturedOutput();
    printRequestDetail(out, storedRequest({ schemaErrors: [{ path: "a", message: "b" }, { path: "c", message: "d" }] }), []);
    expect(lines()).toContain("  schema      2 issues (accepted all the same: Pinwheel does not retry a 4XX; the library lists these as event.issues)");
  });

  it("colours a failed verdict red", async () => {
    const { out, lines } = await capturedOutput({ color: true });
    printRequestDetail(out, storedRequest({ verification: "bad_signature", statusCode: 401 }), []);
    expect(lines()).toContain("  signature   \u001b[31mbad_signature\u001b[39m");
  });
});
