/**
 * SLOW (spawns node; about 1 s): `prepare` (npm ci, npx pinwheel-cli in the checkout) rebuilds only
 * when the build's inputs changed. Runs the real script in a temp copy of a tiny project whose
 * `build` leaves a mark, so the checkout's dist/ is never touched.
 */
import { execFile } from "node:child_process";
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { REPO_ROOT } from "../helpers/cli.js";

const run = promisify(execFile);

describe("prepare builds only when dist/ is stale", () => {
  let dir: string;
  const prepare = () => run(process.execPath, [join(dir, "scripts", "build-stamp.js"), "prepare"], { cwd: dir, timeout: 30_000, env: { ...process.env, npm_execpath: "" } });

  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), "pinwheel-cli-stamp-"));
    mkdirSync(join(dir, "scripts"));
    mkdirSync(join(dir, "src"));
    copyFileSync(join(REPO_ROOT, "scripts", "build-stamp.js"), join(dir, "scripts", "build-stamp.js"));
    writeFileSync(join(dir, "src", "main.ts"), "export const a = 1;\n");
    const outputs = "for (const f of ['dist/main.js','packages/webhooks/dist/index.js']) { fs.mkdirSync(path.dirname(f),{recursive:true}); fs.writeFileSync(f,'') }";
    const build = `node -e "const fs=require('fs'),path=require('path');${outputs};fs.appendFileSync('builds','x')" && node scripts/build-stamp.js write`;
    writeFileSync(join(dir, "package.json"), JSON.stringify({ name: "stamp-test", private: true, type: "module", scripts: { build } }));
  });

  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it("builds a fresh checkout, skips the second time, rebuilds after a source change", async () => {
    const builds = () => (existsSync(join(dir, "builds")) ? readFileSync(join(dir, "builds"), "utf8").length : 0);
    await prepare();
    expect(builds()).toBe(1);
    const again = await prepare();
    expect(again.stderr).toContain("dist/ is current");
    expect(builds()).toBe(1);
    writeFileSync(join(dir, "src", "main.ts"), "export const a = 2;\n");
    await prepare();
    expect(builds()).toBe(2);
  });

  // A checkout whose library bundle went missing (only packages/webhooks/dist deleted): the
  // examples import it through the workspace link, so "current" must mean it is there too.
  it("rebuilds when an output is missing though the sources are unchanged", async () => {
    const builds = () => readFileSync(join(dir, "builds"), "utf8").length;
    const before = builds();
    rmSync(join(dir, "packages", "webhooks", "dist"), { recursive: true });
    await prepare();
    expect(builds()).toBe(before + 1);
    expect(existsSync(join(dir, "packages", "webhooks", "dist", "index.js"))).toBe(true);
  });
});
