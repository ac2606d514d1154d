// On Node 22+, bin/pinwheel-cli.cjs calls module.enableCompileCache(), so the second start of a
// command reads V8's code cache instead of compiling dist/ again. This checks that the cache is
// really written (and fails if not), and measures start-up with it against NODE_DISABLE_COMPILE_CACHE.
//   node scripts/compile-cache-check.js      (with the Node to check first on PATH, or as `node`)
import { spawnSync } from "node:child_process";
import { mkdtempSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

const bin = fileURLToPath(new URL("../bin/pinwheel-cli.cjs", import.meta.url));
const major = Number(process.versions.node.split(".")[0]);
const args = ["scenarios", "list"];
const RUNS = 7;

if (major < 22) {
  console.log(`compile cache: Node ${process.version} has none (22+); nothing to check`);
  process.exit(0);
}

const temp = mkdtempSync(join(tmpdir(), "pinwheel-cli-compile-cache-"));
const env = { ...process.env, TMPDIR: temp, NO_COLOR: "1", PINWHEEL_HOME: join(temp, "home") };
delete env.NODE_COMPILE_CACHE;

function start(extraEnv = {}) {
  const began = process.hrtime.bigint();
  const result = spawnSync(process.execPath, [bin, ...args], { env: { ...env, ...extraEnv }, encoding: "utf8" });
  if (result.status !== 0) throw new Error(`pinwheel-cli ${args.join(" ")} exited ${result.status}: ${result.stderr}`);
  return Number(process.hrtime.bigint() - began) / 1e6;
}

function median(values) {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
}

try {
  start(); // the cold start fills the cache
  const cacheRoot = join(temp, "node-compile-cache");
  let entries = [];
  try {
    entries = readdirSync(cacheRoot, { recursive: true });
  } catch {
    // No cache directory: nothing was written, reported just below as "NOT used".
  }
  if (entries.length === 0) {
    console.log(`compile cache: NOT used on Node ${process.version}: nothing written under ${cacheRoot}`);
    process.exitCode = 1;
  } else {
    const cached = [];
    const uncached = [];
    for (let i = 0; i < RUNS; i++) {
      cached.push(start());
      uncached.push(start({ NODE_DISABLE_COMPILE_CACHE: "1" }));
    }
    const withCache = median(cached);
    const without = median(uncached);
    console.log(
      `compile cache: used on Node ${process.version} (${entries.length} entries); \`pinwheel-cli ${args.join(" ")}\` starts in ` +
        `${withCache.toFixed(0)} ms with it, ${without.toFixed(0)} ms without (median of ${RUNS}; ${(without / withCache).toFixed(2)}x)`,
    );
  }
} finally {
  rmSync(temp, { recursive: true, force: true });
}
