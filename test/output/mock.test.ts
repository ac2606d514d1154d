import { describe, expect, it } from "vitest";
import { printMockAnswer } from "../../src/output/mock.js";
import { capturedOutput } from "../helpers/captured-output.js";

describe("printMockAnswer", () => {
  it("--json: the status the mock answered is status_code, as in every other JSON line of the CLI", async () => {
    const { out, lines } = await capturedOutput({ json: true });
    printMockAnswer(out, { method: "GET", path: "/v1/accounts/x", status: 404, code: "account_not_found", durationMs: 1.234 });
    expect(lines().map((line) => JSON.parse(line) as unknown)).toEqual([
      { type: "request", method: "GET", path: "/v1/accounts/x", status_code: 404, code: "account_not_found", duration_ms: 1.23 },
    ]);
  });

  it("without --json: one line with the method, path, status and code", async () => {
    const { out, lines } = await capturedOutput();
    printMockAnswer(out, { method: "POST", path: "/v1/webhooks", status: 201, code: undefined, durationMs: 3 });
    expect(lines()).toEqual(["POST   /v1/webhooks  201  3 ms"]);
  });
});
