/**
 * FAST: @pinwheel-cli/webhooks (packages/webhooks/) is the library entry of pinwheel-cli built as its
 * own package, from the same sources. Its manifest must keep up with the root's: the same version
 * (one release of the sources, two packages), the same zod range (the one the sources are tested
 * against) and Node range, and zod as its only dependency (the point of the package).
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { REPO_ROOT } from "../helpers/cli.js";

interface Manifest {
  name: string;
  version: string;
  license: string;
  type?: string;
  engines: { node: string };
  dependencies: Record<string, string>;
  devDependencies?: Record<string, string>;
  peerDependencies?: Record<string, string>;
  optionalDependencies?: Record<string, string>;
  exports: Record<string, unknown>;
  files: string[];
  sideEffects?: boolean;
  scripts?: Record<string, string>;
}

const read = (path: string) => JSON.parse(readFileSync(join(REPO_ROOT, path), "utf8")) as Manifest;
const root = read("package.json");
const webhooks = read("packages/webhooks/package.json");

describe("the @pinwheel-cli/webhooks manifest", () => {
  it("has the root's version, licence and Node range", () => {
    expect(webhooks.name).toBe("@pinwheel-cli/webhooks");
    expect(webhooks.version).toBe(root.version);
    expect(webhooks.license).toBe(root.license);
    expect(webhooks.engines).toEqual(root.engines);
  });

  it("depends on zod only, in the root's range", () => {
    expect(webhooks.dependencies).toEqual({ zod: root.dependencies.zod });
    expect(webhooks.peerDependencies ?? {}).toEqual({});
    expect(webhooks.optionalDependencies ?? {}).toEqual({});
    // No install scripts: installing it runs nothing.
    expect(webhooks.scripts ?? {}).toEqual({});
  });

  it("exports the bundle and its declarations, as the root exports the library", () => {
    expect(webhooks.type).toBe("module");
    expect(webhooks.sideEffects).toBe(false);
    expect(webhooks.files).toEqual(["dist"]);
    expect(webhooks.exports).toEqual({
      ".": { types: "./dist/index.d.ts", import: "./dist/index.js", default: "./dist/index.js" },
      "./package.json": "./package.json",
    });
    expect(root.exports["."]).toEqual({ types: "./dist/index.d.ts", import: "./dist/index.js", default: "./dist/index.js" });
  });
});
