// PROVISIONAL (issue 13; issue 14 defines the real tiers): the fast tier is every test file that
// starts no process. A file that imports the process helpers, child_process or Chromium is slow.
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { defineConfig } from "vitest/config";
import base from "./vitest.config.js";

const SPAWNS = /child_process|helpers\/(cli|cli-server|delivery-cli)\.js|chromium|start-example/;

const fast = readdirSync("test", { recursive: true, encoding: "utf8" })
  .filter((file) => file.endsWith(".test.ts"))
  .map((file) => join("test", file))
  .filter((file) => !SPAWNS.test(readFileSync(file, "utf8")));

// Not mergeConfig: it would append this list to the base's include (every test file).
export default defineConfig({ test: { ...base.test, include: fast } });
