/**
 * SLOW (about 10-20 s): @pinwheel-cli/webhooks as a production handler gets it. `npm pack` the BUILT
 * package (packages/webhooks/, written by npm run build), install the tarball into a fresh temp
 * project, and check that
 *  - node_modules holds the package and zod and nothing else (no CLI, SQLite, HTTP client or
 *    terminal package), and running it resolves nothing outside them and Node's built-ins;
 *  - it signs every event by name from the fixtures it ships, verifies, parses and refuses;
 *  - a strict TypeScript consumer type-checks against its declarations (the checkout's tsc).
 *
 * The install is `npm ci --offline` from a lockfile the test writes: the tarball, and zod at the
 * version and integrity of the checkout's package-lock.json, whose tarball the checkout's own npm ci
 * left in the npm cache. (`npm install --offline <tarball>` does not work from that cache: it
 * resolves zod's range from the full registry document, and npm ci caches only the abbreviated one.)
 * If the cache lacks it, the test asks the registry (--prefer-offline), and skips only when that
 * cannot be reached either.
 */
import { execFile } from "node:child_process";
import { createHash } from "node:crypto";
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, relative } from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it, type TestContext } from "vitest";
import * as library from "../../src/index.js";
import { REPO_ROOT } from "../helpers/cli.js";
import { CONSUMER_TSCONFIG } from "../helpers/consumer-tsconfig.js";
import { NPM_ENV, npmUnlessUnreachable } from "../helpers/npm.js";

const run = promisify(execFile);
const NAME = "@pinwheel-cli/webhooks";
const PACKAGE_DIR = join(REPO_ROOT, "packages", "webhooks");
const HOOK = new URL("./fixtures/record-resolutions.mjs", import.meta.url);
const CI_FLAGS = ["--ignore-scripts", "--no-audit", "--no-fund"];

interface LockEntry {
  version: string;
  resolved?: string;
  integrity?: string;
  dependencies?: Record<string, string>;
}

/** The lockfile entries of `names` and what they depend on, as the checkout's package-lock.json pins them (hoisted, as npm ci installed them). */
function pinnedFromCheckout(names: string[]): Record<string, LockEntry> {
  const lock = JSON.parse(readFileSync(join(REPO_ROOT, "package-lock.json"), "utf8")) as { packages: Record<string, LockEntry> };
  const entries: Record<string, LockEntry> = {};
  const pending = [...names];
  while (pending.length > 0) {
    const name = pending.pop()!;
    const path = `node_modules/${name}`;
    if (entries[path]) continue;
    const entry = lock.packages[path];
    if (!entry) throw new Error(`${NAME} depends on ${name}, which the checkout's package-lock.json does not pin: the package must depend on what pinwheel-cli does`);
    entries[path] = entry;
    pending.push(...Object.keys(entry.dependencies ?? {}));
  }
  return entries;
}

/** Package directories under node_modules (scoped ones as @scope/name), at any depth. */
function installedPackages(nodeModules: string): string[] {
  const found: string[] = [];
  for (const entry of readdirSync(nodeModules, { withFileTypes: true })) {
    if (entry.name.startsWith(".")) continue;
    const names = entry.name.startsWith("@") ? readdirSync(join(nodeModules, entry.name)).map((name) => `${entry.name}/${name}`) : [entry.name];
    for (const name of names) {
      found.push(name);
      const nested = join(nodeModules, name, "node_modules");
      if (existsSync(nested)) found.push(...installedPackages(nested).map((inner) => `${name}/node_modules/${inner}`));
    }
  }
  return found.sort();
}

// Every event by name (the fixtures shipped in the package), and what a handler does with them.
const CHECK = `
import { createSignedRequest, diagnoseWebhook, EVENT_NAMES, parseWebhookEvent, PinwheelWebhookError, verifyWebhook } from "${NAME}";
import * as all from "${NAME}";

const secret = "handler-secret";
const events = [];
for (const name of EVENT_NAMES) {
  const { headers, body } = createSignedRequest(name, { secret });
  const verdict = verifyWebhook({ secret, headers, rawBody: Buffer.from(body) });
  const parsed = parseWebhookEvent({ secret, headers, rawBody: body });
  events.push({ name, ok: verdict.ok, event: parsed.event, known: parsed.known, issues: parsed.issues.length });
}
const { headers, body } = createSignedRequest("paystubs.fully_synced", { secret, set: { "payload.params.count": 7 } });
const count = parseWebhookEvent({ secret, headers: new Headers(headers), rawBody: new TextEncoder().encode(body) }).payload.params.count;
let refused = "";
try {
  parseWebhookEvent({ secret: "another-secret", headers, rawBody: body });
} catch (error) {
  if (error instanceof PinwheelWebhookError) refused = error.reason + " " + error.status;
}
const diagnosis = diagnoseWebhook({ rawBody: body + " ", signature: headers["x-pinwheel-signature"], timestamp: headers["x-timestamp"], secret });
console.log(JSON.stringify({ events, count, refused, diagnosed: diagnosis.valid, exports: Object.keys(all).sort() }));
`;

const CONSUMER = `
import { createSignedRequest, parseWebhookEvent, type PinwheelWebhookEvent } from "${NAME}";

const secret = "consumer-secret";
const { headers, body } = createSignedRequest("paystubs.fully_synced", { secret, set: { "payload.params.count": 7 } });
const parsed = parseWebhookEvent({ secret, headers, rawBody: body });
if (!parsed.known) throw new Error(parsed.event);
const e: PinwheelWebhookEvent = parsed;
let count = 0;
if (e.event === "paystubs.fully_synced") {
  const synced: number = e.payload.params.count;
  count = synced;
}
// @ts-expect-error only some events carry params.count: narrowing is what makes it type-check
void e.payload.params.count;
// @ts-expect-error event names are literal types, so a typo does not compile (never called: it would throw)
const typo = () => createSignedRequest("paystubs.fully_syncd", { secret });
void typo;
console.log(JSON.stringify({ event: e.event, count }));
`;

// Calls the README's fetch-style handler (readme-handler.mjs: its js code block as written) with Requests.
const README_CHECK = `
import { createSignedRequest, signedHeaders } from "${NAME}";
import { POST } from "./readme-handler.mjs";

const secret = "readme-secret";
process.env.PINWHEEL_API_SECRET = secret;
const call = async ({ headers, body }) => {
  const response = await POST(new Request("http://127.0.0.1/webhooks/pinwheel", { method: "POST", headers, body }));
  return { status: response.status, body: await response.json() };
};
const results = [
  await call(createSignedRequest("paystubs.fully_synced", { secret })),
  await call(createSignedRequest("paystubs.fully_synced", { secret: "another-secret" })),
  await call({ headers: signedHeaders(secret, '{"hello":"world"}'), body: '{"hello":"world"}' }),
];
delete process.env.PINWHEEL_API_SECRET;
results.push(await call(createSignedRequest("income.added", { secret })));
console.log(JSON.stringify(results));
`;

describe(`${NAME}, packed and installed into a handler's project`, { timeout: 180_000 }, () => {
  let dir: string;
  let project: string;
  let packedFiles: string[];
  let skipReason: string | undefined;

  function requireInstall(context: TestContext): void {
    if (skipReason) context.skip(skipReason);
  }

  beforeAll(async () => {
    if (!existsSync(join(PACKAGE_DIR, "dist", "index.js"))) throw new Error("packages/webhooks/dist/ is missing: run npm run build");
    dir = mkdtempSync(join(tmpdir(), "pinwheel-cli-webhooks-"));
    const packed = await run("npm", ["pack", "--ignore-scripts", "--json", "--pack-destination", dir], { cwd: PACKAGE_DIR, env: NPM_ENV, timeout: 30_000 });
    const [info] = JSON.parse(packed.stdout) as [{ filename: string; files: { path: string }[] }];
    packedFiles = info.files.map((file) => file.path).sort();
    const tarball = join(dir, info.filename);

    project = join(dir, "handler");
    mkdirSync(project);
    const manifest = JSON.parse(readFileSync(join(PACKAGE_DIR, "package.json"), "utf8")) as { version: string; dependencies: Record<string, string>; engines: unknown };
    const dependencies = { [NAME]: `file:${relative(project, tarball)}` };
    writeFileSync(join(project, "package.json"), JSON.stringify({ name: "handler", private: true, type: "module", dependencies }));
    const lock = {
      name: "handler",
      lockfileVersion: 3,
      requires: true,
      packages: {
        "": { name: "handler", dependencies },
        [`node_modules/${NAME}`]: {
          version: manifest.version,
          resolved: dependencies[NAME],
          integrity: `sha512-${createHash("sha512").update(readFileSync(tarball)).digest("base64")}`,
          dependencies: manifest.dependencies,
          engines: manifest.engines,
        },
        ...pinnedFromCheckout(Object.keys(manifest.dependencies)),
      },
    };
    writeFileSync(join(project, "package-lock.json"), JSON.stringify(lock, null, 2));

    let code = await npmUnlessUnreachable(["ci", "--offline", ...CI_FLAGS], project);
    if (code) code = await npmUnlessUnreachable(["ci", "--prefer-offline", ...CI_FLAGS], project);
    if (code) {
      skipReason = `zod is not in the npm cache and the registry is unreachable (${code})`;
      return;
    }
    writeFileSync(join(project, "check.mjs"), CHECK);
    writeFileSync(join(project, "consumer.ts"), CONSUMER);
    writeFileSync(join(project, "tsconfig.json"), JSON.stringify(CONSUMER_TSCONFIG, null, 2));
  }, 180_000);

  afterAll(() => {
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it("ships the bundle, its declarations and every event's fixture, and nothing else", () => {
    expect(packedFiles).toEqual(expect.arrayContaining(["package.json", "README.md", "LICENSE", "dist/index.js", "dist/index.d.ts", "dist/library/parse-event.d.ts"]));
    const fixtures = packedFiles.filter((path) => path.startsWith("dist/fixtures/"));
    expect(fixtures).toEqual(library.EVENT_NAMES.map((name) => `dist/fixtures/events/${name}.json`).sort());
    expect(packedFiles.filter((path) => !/^(package\.json|README\.md|LICENSE|dist\/.*\.(js|d\.ts|json))$/.test(path))).toEqual([]);
    expect(packedFiles.filter((path) => path.endsWith(".js"))).toEqual(["dist/index.js"]);
  });

  it("installs zod and nothing else: no CLI, SQLite, HTTP client or terminal package", (context) => {
    requireInstall(context);
    expect(installedPackages(join(project, "node_modules"))).toEqual([NAME, "zod"]);
    const installed = JSON.parse(readFileSync(join(project, "node_modules", NAME, "package.json"), "utf8")) as { dependencies: Record<string, string> };
    expect(Object.keys(installed.dependencies)).toEqual(["zod"]);
  });

  it("signs every event by name, verifies, parses, refuses and diagnoses, loading only itself, zod and Node's built-ins", async (context) => {
    requireInstall(context);
    const log = join(dir, "resolutions.log");
    const { stdout } = await run(process.execPath, ["--import", HOOK.href, join(project, "check.mjs")], { cwd: project, env: { ...process.env, RESOLUTION_LOG: log }, timeout: 30_000 });
    const result = JSON.parse(stdout) as { events: unknown[]; count: number; refused: string; diagnosed: boolean; exports: string[] };
    expect(result.events).toEqual(library.EVENT_NAMES.map((name) => ({ name, ok: true, event: name, known: true, issues: 0 })));
    expect(result).toMatchObject({ count: 7, refused: "bad_signature 401", diagnosed: false });
    // The same API as pinwheel-cli's library entry.
    expect(result.exports).toEqual(Object.keys(library).sort());

    const resolved = readFileSync(log, "utf8").split("\n").filter(Boolean);
    const inside = (path: string) => resolved.some((url) => url.includes(path));
    expect(inside(`/node_modules/${NAME}/dist/index.js`)).toBe(true);
    expect(inside("/node_modules/zod/")).toBe(true);
    const own = `${join(project, "check.mjs")}`;
    const elsewhere = resolved.filter((url) => !url.startsWith("node:") && !url.endsWith(own) && !/\/handler\/node_modules\/(@pinwheel-cli\/webhooks|zod)\//.test(url));
    expect(elsewhere).toEqual([]);
  });

  it("type-checks a strict TypeScript consumer against its declarations, which then runs", async (context) => {
    requireInstall(context);
    mkdirSync(join(project, "node_modules", "@types"), { recursive: true });
    symlinkSync(join(REPO_ROOT, "node_modules", "@types", "node"), join(project, "node_modules", "@types", "node"), "dir");
    const tsc = join(REPO_ROOT, "node_modules", "typescript", "bin", "tsc");
    const result = await run(process.execPath, [tsc, "-p", "."], { cwd: project, timeout: 60_000 }).catch((error: { stdout?: string }) => error);
    expect(result.stdout ?? "", "tsc errors").toBe("");
    const { stdout } = await run(process.execPath, [join(project, "out", "consumer.js")], { cwd: project, timeout: 15_000 });
    expect(JSON.parse(stdout)).toEqual({ event: "paystubs.fully_synced", count: 7 });
  });

  it("runs its README's handler: 200 for a genuine event, and error.status for a forged one, a signed non-event and no secret", async (context) => {
    requireInstall(context);
    const sample = /```js\n([\s\S]*?)```/.exec(readFileSync(join(PACKAGE_DIR, "README.md"), "utf8"))?.[1];
    expect(sample, "the README's ```js block").toBeDefined();
    writeFileSync(join(project, "readme-handler.mjs"), sample!);
    writeFileSync(join(project, "readme-check.mjs"), README_CHECK);
    const { stdout } = await run(process.execPath, [join(project, "readme-check.mjs")], { cwd: project, timeout: 15_000 });
    expect(JSON.parse(stdout.trim().split("\n").at(-1)!)).toEqual([
      { status: 200, body: { received: true } },
      { status: 401, body: { error: "bad_signature" } },
      { status: 400, body: { error: "invalid_envelope" } },
      { status: 500, body: { error: "missing_secret" } },
    ]);
  });

  it.runIf((process.features as { require_module?: boolean }).require_module)("works from require() where Node can require ESM (20.19+, 22.12+)", async (context) => {
    requireInstall(context);
    const script = `const { createSignedRequest, verifyWebhook } = require("${NAME}"); const r = createSignedRequest("income.added", { secret: "s" }); console.log(JSON.stringify(verifyWebhook({ secret: "s", headers: r.headers, rawBody: r.body })));`;
    const { stdout } = await run(process.execPath, ["-e", script], { cwd: project, timeout: 15_000 });
    expect(JSON.parse(stdout)).toMatchObject({ ok: true });
  });
});
