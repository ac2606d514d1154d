/**
 * The library's handler samples in the README and docs/library.md run as written: copied out
 * whole into a module beside the checkout's node_modules (express, @pinwheel-cli/webhooks) and run
 * with node, they define the route and sign a request without a ReferenceError or a missing import.
 */
import { execFile } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { promisify } from "node:util";
import { afterAll, describe, expect, it } from "vitest";
import { REPO_ROOT } from "../helpers/cli.js";

const run = promisify(execFile);
// Inside the checkout, so that bare imports resolve from its node_modules.
const work = mkdtempSync(join(REPO_ROOT, "node_modules", ".library-samples-"));
afterAll(() => rmSync(work, { recursive: true, force: true }));

function firstJsBlock(file: string, after: string): string {
  const text = readFileSync(join(REPO_ROOT, file), "utf8");
  const block = /```js\n([\s\S]*?)```/.exec(text.slice(text.indexOf(after)))?.[1];
  if (block === undefined) throw new Error(`no js block after "${after}" in ${file}`);
  return block;
}

describe("the library samples run as written", () => {
  for (const [file, after] of [
    ["README.md", "## The library in ten lines"],
    ["docs/library.md", "# "],
  ] as const) {
    it(`${file}: the handler sample`, async () => {
      const sample = join(work, `${file.replace(/\W/g, "-")}.mjs`);
      writeFileSync(sample, firstJsBlock(file, after));
      const { stderr } = await run(process.execPath, [sample], { cwd: work, timeout: 15_000, env: { ...process.env, PINWHEEL_API_SECRET: "sample-secret" } });
      expect(stderr).toBe("");
    });
  }
});
