import { describe, expect, it } from "vitest";
import { resolveSecret, terminalSettings } from "../src/config.js";

describe("terminalSettings", () => {
  it("takes CI=false or CI=0 as not CI, and any other value as CI", () => {
    for (const value of ["false", "0", "", "FALSE", "no"]) expect(terminalSettings({ CI: value }).ci, value).toBe(false);
    for (const value of ["true", "1", "yes", "github-actions"]) expect(terminalSettings({ CI: value }).ci, value).toBe(true);
    expect(terminalSettings({}).ci).toBe(false);
  });
});

describe("resolveSecret", () => {
  it("refuses a PINWHEEL_API_SECRET that is set but empty, and names it", () => {
    expect(() => resolveSecret(undefined, { PINWHEEL_API_SECRET: " " })).toThrow(/PINWHEEL_API_SECRET is set but empty/);
    expect(resolveSecret("from-flag", { PINWHEEL_API_SECRET: "" })).toEqual({ secret: "from-flag", source: "flag" });
    expect(resolveSecret(undefined, { PINWHEEL_API_SECRET: "env-secret" })).toEqual({ secret: "env-secret", source: "env" });
  });
});
