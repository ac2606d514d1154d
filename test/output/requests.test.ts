import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { formatRequestLine, printRequestTable, requestDetailJson, requestJson, requestJsonLine, requestLabel } from "../../src/output/requests.js";
import { terminalSafeJson } from "../../src/output/printable.js";
import type { StoredRequest } from "../../src/store/requests.js";
import { capturedOutput } from "../helpers/captured-output.js";
import { storedRow } from "../helpers/stored-requests.js";

function storedRequest(): StoredRequest {
  return { ...storedRow("e"), id: 7, duplicate: false };
}

describe("requestLabel", () => {
  it("names a request by its event, else by what was read of its request line", () => {
    expect(requestLabel({ event: "paystubs.added", method: "POST", path: "/hooks" })).toBe("paystubs.added");
    expect(requestLabel({ event: null, method: "GET", path: "/favicon.ico" })).toBe("GET /favicon.ico");
    // A slowloris answered 408 before its headers were complete: nothing of its request line is known.
    expect(requestLabel({ event: null, method: "", path: "" })).toBe("(request line not read)");
  });
});

describe("requestDetailJson", () => {
  it("is the listed request with its headers, its body both as text and as base64, and its deliveries", () => {
    const request = storedRequest();
    const detail = requestDetailJson(request, []);
    expect(detail).toMatchObject({ ...requestJson(request), headers: request.headers, body_truncated: false, deliveries: [] });
    expect(Buffer.from(detail.body_base64 as string, "base64")).toEqual(request.body);
    expect(detail.body).toBe(request.body.toString("utf8"));
  });
});

describe("formatRequestLine", () => {
  it("prints what a hostile request carried as visible text, on the request's own line", async () => {
    const { Chalk } = await import("chalk");
    const c = new Chalk({ level: 0 });
    const hostile = "income.added\u001b[2J\r\n17:00:00  200  paystubs.added   verified  #99";
    const line = formatRequestLine(c, {
      ...storedRequest(),
      event: hostile,
      accountId: "\u001b]0;pwned\u0007",
      statusCode: 401,
      verification: "bad_signature",
      verificationDetail: "x\u001b[31m",
      schemaErrors: [{ path: "payload.\u001b[1m", message: "bad\ndata" }],
    });
    // eslint-disable-next-line no-control-regex -- no control character may reach the terminal
    expect(line).not.toMatch(/[\u0000-\u0009\u000b-\u001f]/);
    expect(line.split("\n")).toHaveLength(2);
    expect(line).toContain("income.added\\x1b[2J\\x0d\\x0a17:00:00");
  });

  it("shows the rejection of a request refused before verification once", async () => {
    const { Chalk } = await import("chalk");
    const rejection = "the request is not valid HTTP (HPE_INVALID_METHOD)";
    const line = formatRequestLine(new Chalk({ level: 0 }), { ...storedRequest(), event: null, method: "", path: "", statusCode: 400, verification: "not_checked", rejection });
    expect(line.split(rejection)).toHaveLength(2);
  });
});

describe("printRequestTable", () => {
  const received = "2025-12-01T14:40:00.123Z";

  it("lists each request's time, status, event, account, verdict and event_id in columns", async () => {
    const { out, lines } = await capturedOutput();
    printRequestTable(out, [
      { ...storedRequest(), receivedAt: received, accountId: "acct-1234567890", duplicate: true },
      { ...storedRequest(), id: 8, receivedAt: received, event: null, eventId: null, method: "GET", path: "/favicon.ico", verification: "not_checked", statusCode: 404, schemaErrors: [] },
    ]);
    expect(lines()).toEqual([
      "ID  RECEIVED              STATUS  EVENT             ACCOUNT   VERDICT               EVENT ID",
      "7   2025-12-01 14:40:00Z  200     income.added      acct-123  verified (duplicate)  e",
      "8   2025-12-01 14:40:00Z  404     GET /favicon.ico            not_checked (schema)",
    ]);
  });

  it("colours a failing status red", async () => {
    const { out, lines } = await capturedOutput({ color: true });
    printRequestTable(out, [{ ...storedRequest(), statusCode: 401, verification: "bad_signature" }]);
    expect(lines()[1]).toContain("\u001b[31m401\u001b[39m");
  });
});

describe("requestJsonLine", () => {
  const text = fc.string({ unit: "binary" });
  const row = fc.record({
    id: fc.nat(),
    eventId: fc.option(text),
    event: fc.option(text),
    accountId: fc.option(text),
    receivedAt: text,
    method: text,
    path: text,
    verification: fc.oneof(fc.constantFrom("verified", "skipped", "not_checked", "bad_signature"), text),
    verificationDetail: fc.option(text),
    duplicate: fc.boolean(),
    statusCode: fc.integer({ min: 100, max: 599 }),
    rejection: fc.option(text),
    schemaErrors: fc.option(fc.array(fc.record({ path: text, message: text }))),
    webhookId: fc.option(text),
    bodySize: fc.nat(),
  });

  it("is the request's --json object, byte for byte, for any row (lone surrogates, quotes and control characters included)", () => {
    fc.assert(
      fc.property(row, (fields) => {
        const request: StoredRequest = { ...storedRequest(), ...fields };
        const line = requestJsonLine(request);
        expect(line).toBe(terminalSafeJson(JSON.stringify({ type: "request", ...requestJson(request) })));
        expect(JSON.parse(line)).toEqual(JSON.parse(JSON.stringify({ type: "request", ...requestJson(request) })));
      }),
      { numRuns: 500 },
    );
  });
});
