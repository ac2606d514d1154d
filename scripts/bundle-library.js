// Builds packages/webhooks/ (@pinwheel-cli/webhooks): the library entry (dist/index.js) as its own
// package, for production handlers that want verifyWebhook and parseWebhookEvent without the CLI's
// dependency tree. Runs after tsc in `npm run build`; everything it writes is under
// packages/webhooks/dist/ (git-ignored):
//   index.js          dist/index.js and what it imports, bundled into one ES module; zod and node:
//                     built-ins stay imports (zod is the package's only dependency)
//   *.d.ts            the declarations dist/index.d.ts reaches, copied as tsc wrote them
//   fixtures/events/  the event fixtures createSignedRequest("income.added", ...) reads at run time
//
// The fixtures are read from a URL relative to the module (src/events/fixtures.ts): two levels up
// from dist/events/fixtures.js, one directory down from the bundle here. The bundle gets that one
// URL rewritten; another URL from import.meta.url fails the build instead of shipping a broken path.
import { cpSync, mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { dirname, join, relative } from "node:path";
import { fileURLToPath } from "node:url";
import { build } from "rolldown";

const root = fileURLToPath(new URL("../", import.meta.url));
const dist = join(root, "dist");
const out = join(root, "packages", "webhooks", "dist");
const FIXTURES_URL = 'new URL("../../fixtures/events/", import.meta.url)';
const BUNDLED_FIXTURES_URL = 'new URL("./fixtures/events/", import.meta.url)';
// What the package may import: its one dependency and Node's built-ins.
const EXTERNAL = [/^node:/, /^zod(\/|$)/];

rmSync(out, { recursive: true, force: true });

await build({
  input: join(dist, "index.js"),
  platform: "node",
  external: EXTERNAL,
  output: { file: join(out, "index.js"), format: "esm" },
  logLevel: "warn",
});

const bundlePath = join(out, "index.js");
const built = readFileSync(bundlePath, "utf8");
const urls = built.match(/import\.meta\.url/g) ?? [];
if (urls.length !== 1 || !built.includes(FIXTURES_URL)) {
  throw new Error(`the library bundle builds ${urls.length} URLs from import.meta.url; bundle-library.js knows one, ${FIXTURES_URL} (src/events/fixtures.ts), and it would not resolve from packages/webhooks/dist/`);
}
const bundle = built.replace(FIXTURES_URL, BUNDLED_FIXTURES_URL);
writeFileSync(bundlePath, bundle);

// Anything left bare in the bundle would be a dependency the package does not declare.
for (const [, specifier] of bundle.matchAll(/^import\b[^"']*["']([^"']+)["']/gm)) {
  if (!EXTERNAL.some((pattern) => pattern.test(specifier))) throw new Error(`the library bundle imports ${specifier}: only zod and node: built-ins may stay imports`);
}

// The declarations: dist/index.d.ts and every relative import it reaches, at the same paths.
const pending = [join(dist, "index.d.ts")];
const copied = new Set();
while (pending.length > 0) {
  const file = pending.pop();
  if (copied.has(file)) continue;
  copied.add(file);
  const text = readFileSync(file, "utf8");
  for (const [, specifier] of text.matchAll(/(?:\bfrom\s*|\bimport\s*\(\s*|^import\s*)["']([^"']+)["']/gm)) {
    if (specifier.startsWith(".")) pending.push(join(dirname(file), specifier.replace(/\.js$/, ".d.ts")));
    else if (!EXTERNAL.some((pattern) => pattern.test(specifier))) throw new Error(`${relative(root, file)} imports ${specifier}: only zod and node: built-ins can resolve in the package`);
  }
  if (/\/\/\/\s*<reference/.test(text)) throw new Error(`${relative(root, file)} has a triple-slash reference bundle-library.js does not follow`);
  const target = join(out, relative(dist, file));
  mkdirSync(dirname(target), { recursive: true });
  writeFileSync(target, text);
}

const fixtures = join(root, "fixtures", "events");
cpSync(fixtures, join(out, "fixtures", "events"), { recursive: true, filter: (path) => path === fixtures || path.endsWith(".json") });
