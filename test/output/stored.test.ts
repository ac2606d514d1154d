import { describe, expect, it } from "vitest";
import { printDeliveryTable } from "../../src/output/stored.js";
import { capturedOutput } from "../helpers/captured-output.js";
import { recordedAttempt } from "../helpers/recorded-attempts.js";

describe("printDeliveryTable", () => {
  it("lists each attempt's time, source, event, try, answer (or the error in its place), duration and URL", async () => {
    const { out, lines } = await capturedOutput();
    printDeliveryTable(out, [
      recordedAttempt({ id: 2, source: "smoke", event: null, statusCode: null, error: "timeout\u001b[0m", durationMs: 5000 }),
      recordedAttempt({ attempt: 2 }),
    ]);
    expect(lines()).toEqual([
      "ID  SENT                  SOURCE    EVENT         TRY  STATUS          TIME    URL",
      "2   2025-12-01 14:40:00Z  smoke                   1    timeout\\x1b[0m  5.00 s  http://127.0.0.1:3000/",
      "1   2025-12-01 14:40:00Z  simulate  income.added  2    200             12 ms   http://127.0.0.1:3000/",
    ]);
  });

  it("colours an answer of 300 or more red", async () => {
    const { out, lines } = await capturedOutput({ color: true });
    printDeliveryTable(out, [recordedAttempt({ statusCode: 500 })]);
    expect(lines()[1]).toContain("\u001b[31m500\u001b[39m");
  });
});
