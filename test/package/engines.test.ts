/**
 * FAST: npm prints EBADENGINE for every installed package whose `engines.node` the running Node does
 * not satisfy. Our own range must only admit versions that every package in the lockfile accepts
 * (platform packages for other systems, which npm skips, included: they are cheap to check).
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import semver from "semver";
import { describe, expect, it } from "vitest";
import { REPO_ROOT } from "../helpers/cli.js";

interface LockEntry {
  engines?: { node?: string } | string[];
  optional?: boolean;
}

const manifest = JSON.parse(readFileSync(join(REPO_ROOT, "package.json"), "utf8")) as { engines: { node: string } };
const lock = JSON.parse(readFileSync(join(REPO_ROOT, "package-lock.json"), "utf8")) as { packages: Record<string, LockEntry> };

// The lowest release of each supported line, and the current ones users run.
const SUPPORTED = ["20.19.0", "22.13.0", "24.0.0", "25.0.0"];

describe("supported Node versions", () => {
  it("our engines range admits Node 20.19+, 22 and 24, and not 20.18 (undici 7 and vite need 20.19)", () => {
    for (const version of SUPPORTED) expect(semver.satisfies(version, manifest.engines.node), version).toBe(true);
    expect(semver.satisfies("20.18.0", manifest.engines.node)).toBe(false);
  });

  it("no package in the lockfile refuses a supported version (no EBADENGINE on npm ci)", () => {
    const refusals: string[] = [];
    for (const [path, entry] of Object.entries(lock.packages)) {
      const range = entry.engines && !Array.isArray(entry.engines) ? entry.engines.node : undefined;
      if (!path || !range) continue;
      for (const version of SUPPORTED) {
        if (!semver.satisfies(version, range)) refusals.push(`${path} wants node ${range}, not ${version}`);
      }
    }
    // Only the wasm fallback, which npm never installs on Linux/macOS/Windows x64/arm64, may refuse 22.0-22.12.
    expect(refusals.filter((line) => !/wasm/.test(line))).toEqual([]);
  });
});
