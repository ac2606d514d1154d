/**
 * FAST: @pinwheel-cli/webhooks (packages/webhooks/) is the library entry of pinwheel-cli built as its
 * own package, from the same sources. Its manifest must keep up with the root's: the same version
 * (one release of the sources, two packages), the same zod range (the one the sources are tested
 * against) and Node range, and zod as its only dependency (the point of the package). Its README is
 * the package's page on the registry, where a link relative to the repository leads nowhere: it must
 * stand on its own, and name only what the package exports.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import * as library from "../../src/index.js";
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

  it("ships the licence text its manifest names, the root's (npm packs a LICENSE from the package's folder whatever files says)", () => {
    const licence = readFileSync(join(REPO_ROOT, "LICENSE"), "utf8");
    expect(licence).toMatch(new RegExp(`^${root.license} License\\n`));
    expect(readFileSync(join(REPO_ROOT, "packages", "webhooks", "LICENSE"), "utf8")).toBe(licence);
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

/** Every name src/index.ts exports, values and types (`export { a, type B } from`, `export type { C } from`). */
function exportedNames(): Set<string> {
  const source = readFileSync(join(REPO_ROOT, "src", "index.ts"), "utf8");
  const names = new Set<string>();
  for (const [, list] of source.matchAll(/^export (?:type )?\{([^}]*)\}/gm)) {
    for (const item of list!.split(",")) {
      const name = item.replace(/\/\/.*$/gm, "").trim().replace(/^type\s+/, "");
      if (name) names.add(name);
    }
  }
  return names;
}

describe("the @pinwheel-cli/webhooks README", () => {
  const readme = readFileSync(join(REPO_ROOT, "packages", "webhooks", "README.md"), "utf8");
  const exported = exportedNames();

  it("links nothing relative: on the registry's page only absolute links work", () => {
    const targets = [...readme.matchAll(/\]\(([^)\s]+)\)/g)].map((match) => match[1]!);
    expect(targets.filter((target) => !/^https:\/\//.test(target))).toEqual([]);
    expect(readme).not.toMatch(/\.\.\//);
  });

  it("imports in its code only what the package exports", () => {
    const imported = [...readme.matchAll(/import\s*\{([^}]*)\}\s*from\s*"@pinwheel-cli\/webhooks"/g)].flatMap((match) => match[1]!.split(",").map((name) => name.trim()).filter(Boolean));
    expect(imported.length).toBeGreaterThan(0);
    expect(imported.filter((name) => !(name in library))).toEqual([]);
  });

  it("lists every export it names, and every value the package exports", () => {
    const section = readme.split(/^## Exports$/m)[1]!.split(/^## /m)[0]!;
    const bullets = section.split("\n").filter((line) => line.startsWith("- "));
    const listed = bullets.flatMap((line) => {
      // "- `name(options)`, `other`: what it does", or "- Types: `A`, `B<...>` ..."
      const head = line.startsWith("- Types:") ? line : line.slice(0, line.indexOf("`: ") + 1);
      return [...head.matchAll(/`([^`]+)`/g)].flatMap((span) => span[1]!.replace(/\(.*\)/, "").replace(/"[^"]*"/g, "").match(/[A-Za-z_]\w*/g) ?? []);
    });
    expect(listed.length).toBeGreaterThan(0);
    expect(listed.filter((name) => !exported.has(name))).toEqual([]);
    expect(Object.keys(library).filter((name) => !listed.includes(name))).toEqual([]);
  });
});
