/**
 * The library's handler samples in the README and docs/library.md run as written: copied out
 * whole into a module beside the checkout's node_modules (express, @pinwheel-cli/webhooks) and run
 * with node, they define the route and sign a request without a ReferenceError or a missing import.
 */
import { execFile } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
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

  it("docs/library.md: the handler sample answers 200 to a genuine event without a field its schema requires (accepted with issues), not a TypeError's 500 on every retry", async () => {
    // This checkout's build, not whatever the shared node_modules links to.
    const lib = JSON.stringify(pathToFileURL(join(REPO_ROOT, "packages", "webhooks", "dist", "index.js")).href);
    const handler = firstJsBlock("docs/library.md", "# ").replaceAll('"@pinwheel-cli/webhooks"', lib);
    const driver = `
import { createSignedRequest as signForTest } from ${lib};
const server = app.listen(0, "127.0.0.1", async () => {
  const { headers, body } = signForTest("paystubs.fully_synced", { secret: "sample-secret", unset: ["payload.params"] });
  const answer = await fetch(\`http://127.0.0.1:\${server.address().port}/webhooks/pinwheel\`, { method: "POST", headers, body });
  console.log(\`status \${answer.status}\`);
  server.close();
});
`;
    const sample = join(work, "library-md-issues.mjs");
    writeFileSync(sample, `${handler}\n${driver}`);
    const { stdout } = await run(process.execPath, [sample], { cwd: work, timeout: 15_000, env: { ...process.env, PINWHEEL_API_SECRET: "sample-secret" } });
    expect(stdout.trim().split("\n").at(-1)).toBe("status 200");
  });
});
