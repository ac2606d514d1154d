import { describe, expect, it } from "vitest";
import type { CatalogEntry } from "../../src/events/catalog.js";
import { printCatalogTable } from "../../src/output/catalog.js";
import { capturedOutput } from "../helpers/captured-output.js";

const entries: CatalogEntry[] = [
  { name: "income.added", family: "income_employment", description: "Income data is available.", job: true, documented: true, source: "docs/001" },
  { name: "paystubs.added", family: "paystubs", description: "New paystubs.", job: false, documented: false, source: "docs/001" },
];

describe("printCatalogTable", () => {
  it("lists each event with its family and description, marking those whose payload is undocumented", async () => {
    const { out, lines } = await capturedOutput();
    printCatalogTable(out, entries);
    expect(lines()).toEqual([
      "EVENT           FAMILY               DESCRIPTION",
      "income.added    Income & employment  Income data is available.",
      "paystubs.added  Paystubs             New paystubs. (payload undocumented)",
    ]);
  });

  it("marks an undocumented payload in yellow", async () => {
    const { out, lines } = await capturedOutput({ color: true });
    printCatalogTable(out, entries);
    expect(lines()[2]).toContain("New paystubs.\u001b[33m (payload undocumented)\u001b[39m");
  });
});
