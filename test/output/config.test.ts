import { describe, expect, it } from "vitest";
import { printConfigTable } from "../../src/output/config.js";
import { capturedOutput } from "../helpers/captured-output.js";

const rows = [
  { key: "api-secret", value: "****0123", from: "PINWHEEL_API_SECRET" },
  { key: "end-user-id", value: null, from: "not set" },
];

describe("printConfigTable", () => {
  it("lists each setting's value and where it comes from, a dash for one without a value", async () => {
    const { out, lines } = await capturedOutput();
    printConfigTable(out, rows);
    expect(lines()).toEqual(["KEY          VALUE     FROM", "api-secret   ****0123  PINWHEEL_API_SECRET", "end-user-id  -         not set"]);
  });

  it("dims the dash", async () => {
    const { out, lines } = await capturedOutput({ color: true });
    printConfigTable(out, rows);
    expect(lines()[2]).toBe("end-user-id  \u001b[2m-\u001b[22m         not set");
  });
});
