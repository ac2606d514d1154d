/**
 * vitest globalSetup: the process tests run bin/ -> dist/, so a build older than src/ would test
 * yesterday's code. Rebuilds (npm run build) when any file under src/ (or the build's own
 * configuration) is newer than the build, and does nothing otherwise.
 */
import { execFileSync } from "node:child_process";
import { readdirSync, statSync } from "node:fs";
import { join } from "node:path";

const BUILD_STAMP = "dist/help.txt"; // written by the build after tsc, before the page's files
const LIBRARY_PACKAGE = "packages/webhooks/dist/index.js"; // written before it: a checkout built before the package existed lacks it
const BUILD_INPUTS = ["src", "scripts", "fixtures/events", "tsconfig.build.json", "tsconfig.ui.json", "package.json"];

function newestMtime(path: string): number {
  const stat = statSync(path);
  if (!stat.isDirectory()) return stat.mtimeMs;
  return Math.max(stat.mtimeMs, ...readdirSync(path).map((name) => newestMtime(join(path, name))));
}

function builtAt(): number {
  try {
    statSync(LIBRARY_PACKAGE);
    return statSync(BUILD_STAMP).mtimeMs;
  } catch {
    return -Infinity;
  }
}

export default function buildIfStale(): void {
  const newestInput = Math.max(...BUILD_INPUTS.map(newestMtime));
  if (newestInput <= builtAt()) return;
  process.stderr.write("src/ is newer than dist/: running npm run build first\n");
  execFileSync("npm", ["run", "build"], { stdio: ["ignore", "inherit", "inherit"] });
}
