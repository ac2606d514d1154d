import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { defineConfig } from "vitest/config";

/**
 * The slow tier: test files that start processes (the built CLI, example servers, Chromium, npm).
 * A file is in it when it calls one of the helpers that do; everything else is the fast tier,
 * which runs in-process (`npm run test:fast`). `npm test` runs both.
 */
const STARTS_PROCESSES = /\b(runCli|startListen|startCliServer|startExample|deliveriesList|launchChromium)\b|node:child_process/;

function testFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return testFiles(path);
    return entry.name.endsWith(".test.ts") ? [path] : [];
  });
}

export const SLOW_TEST_FILES = testFiles("test").filter((file) => STARTS_PROCESSES.test(readFileSync(file, "utf8")));

export default defineConfig({
  test: {
    testTimeout: 20_000,
    hookTimeout: 20_000,
    // End-to-end files spawn the CLI and servers; two cores do best with a couple of workers.
    maxWorkers: 2,
    // Process tests run bin/ -> dist/: rebuild first when src/ is newer than the build.
    globalSetup: ["test/setup/build-if-stale.ts"],
    projects: [
      { extends: true, test: { name: "fast", include: ["test/**/*.test.ts"], exclude: SLOW_TEST_FILES } },
      { extends: true, test: { name: "slow", include: SLOW_TEST_FILES } },
    ],
  },
});
