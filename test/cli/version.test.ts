import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { VERSION } from "../../src/version.js";
import { REPO_ROOT, runCli, tempHome } from "../helpers/cli.js";

describe("version", () => {
  it("is package.json's, and --version prints it from the fast path and from after a command", async () => {
    const pkg = JSON.parse(readFileSync(`${REPO_ROOT}/package.json`, "utf8")) as { version: string };
    expect(VERSION).toBe(pkg.version);
    const home = tempHome();
    try {
      for (const args of [["--version"], ["-v"]]) {
        const result = await runCli(args, { env: home.env });
        expect(result.code).toBe(0);
        expect(result.stdout).toBe(`${pkg.version}\n`);
      }
    } finally {
      home.cleanup();
    }
  });
});

describe("help", () => {
  it("the top-level --help (and no arguments) prints the build's snapshot, which is what commander prints", async () => {
    const { buildProgram } = await import("../../src/cli.js");
    const { renderHelp } = await import("../../src/help-text.js");
    const home = tempHome();
    try {
      for (const args of [["--help"], ["-h"], []]) {
        const result = await runCli(args, { env: home.env });
        expect(result.code).toBe(0);
        expect(result.stdout).toBe(renderHelp(buildProgram()));
        expect(result.stdout).toMatch(/Examples:\n {2}\$ pinwheel-cli listen/);
      }
    } finally {
      home.cleanup();
    }
  });
});
