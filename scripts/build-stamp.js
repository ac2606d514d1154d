// `prepare` runs on every `npm ci`/`npm install` in the checkout and again when `npx pinwheel-cli`
// links the folder: rebuilding each time cost 12-55 s behind npx's silent spinner. The build writes
// a hash of its inputs to dist/.build-inputs; `prepare` builds only when that hash differs.
//   node scripts/build-stamp.js write     after a build (the last step of `npm run build`)
//   node scripts/build-stamp.js prepare   build unless dist/ was built from these exact inputs
import { spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import { existsSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join, relative } from "node:path";
import { fileURLToPath } from "node:url";

const root = fileURLToPath(new URL("..", import.meta.url));
const stampPath = join(root, "dist", ".build-inputs");
const INPUTS = ["src", "scripts", "fixtures/events", "package.json", "tsconfig.json", "tsconfig.build.json", "tsconfig.ui.json", "node_modules/typescript/package.json"];

function filesUnder(path) {
  return readdirSync(join(root, path), { withFileTypes: true, recursive: true })
    .filter((entry) => entry.isFile())
    .map((entry) => join(entry.parentPath ?? entry.path, entry.name));
}

export function inputsHash() {
  const hash = createHash("sha256");
  for (const input of INPUTS) {
    const full = join(root, input);
    if (!existsSync(full)) continue;
    const files = input.includes(".json") ? [full] : filesUnder(input);
    for (const file of files.sort()) {
      hash.update(relative(root, file)).update("\0").update(readFileSync(file)).update("\0");
    }
  }
  return hash.digest("hex");
}

/** What the build makes that a checkout runs: the CLI, and the library package the examples import. */
const OUTPUTS = ["dist/main.js", "packages/webhooks/dist/index.js"];

const stampIsCurrent = () =>
  existsSync(stampPath) && readFileSync(stampPath, "utf8").trim() === inputsHash() && OUTPUTS.every((output) => existsSync(join(root, output)));

const mode = process.argv[2];
if (mode === "write") {
  writeFileSync(stampPath, `${inputsHash()}\n`);
} else if (mode === "prepare") {
  if (stampIsCurrent()) {
    console.error("pinwheel-cli: dist/ is current (built from these sources); skipping the build");
  } else {
    const npm = process.env.npm_execpath;
    const result = npm
      ? spawnSync(process.execPath, [npm, "run", "build"], { cwd: root, stdio: "inherit" })
      : spawnSync("npm", ["run", "build"], { cwd: root, stdio: "inherit", shell: process.platform === "win32" });
    process.exit(result.status ?? 1);
  }
} else {
  console.error("usage: node scripts/build-stamp.js write|prepare");
  process.exit(2);
}
