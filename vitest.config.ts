import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["test/**/*.test.ts"],
    testTimeout: 20_000,
    hookTimeout: 20_000,
    // End-to-end files spawn the CLI and servers; two cores do best with a couple of workers.
    maxWorkers: 2,
  },
});
