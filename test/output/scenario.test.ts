import { describe, expect, it } from "vitest";
import type { Scenario } from "../../src/events/scenario.js";
import { printScenario } from "../../src/output/scenario.js";
import { capturedOutput } from "../helpers/captured-output.js";

const scenario: Scenario = {
  name: "late-retry",
  description: "A retry arrives late.",
  source: "docs/002",
  steps: [
    { event: "account.added", label: "login" },
    { resend: "login", delay_ms: 200, note: "the retry" },
  ],
};

describe("printScenario", () => {
  it("shows the scenario's name, description and source, then its steps", async () => {
    const { out, lines } = await capturedOutput();
    printScenario(out, scenario);
    expect(lines()).toEqual([
      "late-retry: A retry arrives late.",
      "Follows docs/002",
      "",
      " 1. account.added [login]",
      ' 2. resend "login"  (after 200 ms) — the retry',
    ]);
  });

  it("leaves out the source line of a scenario that names none", async () => {
    const { out, lines } = await capturedOutput();
    printScenario(out, { ...scenario, source: undefined });
    expect(lines().slice(0, 2)).toEqual(["late-retry: A retry arrives late.", ""]);
  });

  it("puts the name in bold", async () => {
    const { out, lines } = await capturedOutput({ color: true });
    printScenario(out, scenario);
    expect(lines()[0]).toBe("\u001b[1mlate-retry\u001b[22m: A retry arrives late.");
  });
});
