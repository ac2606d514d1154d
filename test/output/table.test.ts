import { describe, expect, it } from "vitest";
import { tableTime } from "../../src/output/table.js";

describe("tableTime", () => {
  it("shows a stored time to the second, in UTC, with or without its milliseconds", () => {
    expect(tableTime("2026-11-30T12:00:00.123Z")).toBe("2026-11-30 12:00:00Z");
    expect(tableTime("2026-11-30T12:00:00Z")).toBe("2026-11-30 12:00:00Z");
  });
});
