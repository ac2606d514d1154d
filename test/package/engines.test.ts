/**
 * FAST: npm prints EBADENGINE for every installed package whose `engines.node` the running Node does
 * not satisfy. A user installs only the runtime tree, so our own range must admit only versions that
 * every runtime package accepts; a checkout also installs the dev tree (vitest, vite), which needs
 * 20.19+ on the 20 line: the README says so.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import semver from "semver";
import { describe, expect, it } from "vitest";
import { REPO_ROOT } from "../helpers/cli.js";

interface LockEntry {
  engines?: { node?: string } | string[];
  dev?: boolean;
}

const manifest = JSON.parse(readFileSync(join(REPO_ROOT, "package.json"), "utf8")) as { engines: { node: string } };
const lock = JSON.parse(readFileSync(join(REPO_ROOT, "package-lock.json"), "utf8")) as { packages: Record<string, LockEntry> };

// The lowest release we promise on each line, and the current ones users run.
const RUNTIME = ["20.18.1", "22.0.0", "24.0.0", "25.0.0"];
// A checkout's tests: the current 20, 22 and 24 lines.
const DEVELOPMENT = ["20.19.0", "22.13.0", "24.0.0", "25.0.0"];

function refusals(versions: readonly string[], dev: boolean): string[] {
  const found: string[] = [];
  for (const [path, entry] of Object.entries(lock.packages)) {
    const range = entry.engines && !Array.isArray(entry.engines) ? entry.engines.node : undefined;
    if (!path || !range || Boolean(entry.dev) !== dev) continue;
    for (const version of versions) {
      if (!semver.satisfies(version, range)) found.push(`${path} wants node ${range}, not ${version}`);
    }
  }
  // Only the wasm fallback, which npm never installs on Linux/macOS/Windows x64/arm64, may refuse some.
  return found.filter((line) => !/wasm/.test(line));
}

describe("supported Node versions", () => {
  it("our engines range admits Node 20.18.1+, 22 and 24, and not 20.18.0 (undici 7 needs 20.18.1)", () => {
    for (const version of RUNTIME) expect(semver.satisfies(version, manifest.engines.node), version).toBe(true);
    expect(semver.satisfies("20.18.0", manifest.engines.node)).toBe(false);
  });

  it("no runtime package refuses a version our range admits (no EBADENGINE for users)", () => {
    expect(refusals(RUNTIME, false)).toEqual([]);
  });

  it("no dev package refuses the current 20, 22 and 24 lines (no EBADENGINE on npm ci in a checkout)", () => {
    expect(refusals(DEVELOPMENT, true)).toEqual([]);
  });
});
