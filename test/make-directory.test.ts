import { mkdtempSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { makeDirectory } from "../src/make-directory.js";

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), "pinwheel-mkdir-"));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

describe("makeDirectory", () => {
  it("makes every missing level with the mode, and leaves an existing directory alone", () => {
    const deep = join(dir, "a", "b", "c");
    makeDirectory(deep, 0o700);
    for (const level of [join(dir, "a"), join(dir, "a", "b"), deep]) expect(statSync(level).mode & 0o777).toBe(0o700);
    makeDirectory(deep, 0o700);
    expect(statSync(deep).isDirectory()).toBe(true);
  });

  it("throws what mkdir says when a level is a file", () => {
    writeFileSync(join(dir, "file"), "");
    expect(() => makeDirectory(join(dir, "file", "sub"), 0o700)).toThrow(/ENOTDIR|EEXIST/);
  });
});
