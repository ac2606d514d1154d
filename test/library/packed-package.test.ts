/**
 * SLOW (about 15-40 s; bounded at 180 s): the package as users get it. `npm pack` the BUILT package
 * (npm run build first), then
 *  - install the tarball into a temp project (--ignore-scripts: the library must not need
 *    better-sqlite3's native build), type-check a strict consumer against the emitted .d.ts with the
 *    checkout's own typescript and @types/node (linked in, not downloaded) and run it, ESM and require();
 *  - install the tarball globally into a temp prefix, as `npm install --global <tarball>` does for a
 *    user, and run `pinwheel-cli --version`, `listen` and `simulate` from that prefix's bin/.
 * The tarball's own dependencies come from the registry (--prefer-offline: the cache when it has
 * them, the network when it does not), so an empty npm cache works. Where the registry is truly
 * unreachable the tests skip and say so.
 */
import { execFile, spawn, type ChildProcess } from "node:child_process";
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { delimiter, dirname, join } from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it, type TestContext } from "vitest";
import { REPO_ROOT } from "../helpers/cli.js";
import { CONSUMER_TSCONFIG } from "../helpers/consumer-tsconfig.js";
import { NPM_ENV, npmUnlessUnreachable } from "../helpers/npm.js";

const run = promisify(execFile);
const INSTALL_FLAGS = ["--ignore-scripts", "--prefer-offline", "--no-audit", "--no-fund", "--no-package-lock"];

function versionOf(pkg: string, root = REPO_ROOT): string {
  return (JSON.parse(readFileSync(join(root, "node_modules", pkg, "package.json"), "utf8")) as { version: string }).version;
}

/** npm install; resolves with a reason to skip when the registry cannot be reached, throws on any other failure. */
async function npmInstall(args: string[], cwd: string): Promise<string | undefined> {
  const code = await npmUnlessUnreachable(["install", ...INSTALL_FLAGS, ...args], cwd);
  return code && `the npm registry is unreachable (${code}): the tarball's dependencies cannot be installed`;
}

const CONSUMER = `
import { createSignedRequest, diagnoseWebhook, parseWebhookEvent, PinwheelWebhookError, signedHeaders, verifyWebhook, type PinwheelWebhookEvent, type UnknownPinwheelEvent } from "pinwheel-cli";

const secret = "consumer-secret";
const { headers, body } = createSignedRequest("paystubs.fully_synced", { secret, set: { "payload.params.count": 7 } });
const parsed = parseWebhookEvent({ secret, headers, rawBody: body });
// An event the library does not know is accepted too, typed with payload: unknown.
if (!parsed.known) {
  const unknown: UnknownPinwheelEvent = parsed;
  throw new Error(unknown.event);
}
const e: PinwheelWebhookEvent = parsed;

let count = 0;
if (e.event === "paystubs.fully_synced") {
  const synced: number = e.payload.params.count;
  count = synced;
}
// @ts-expect-error only some events carry params.count: narrowing is what makes it type-check
void e.payload.params.count;
// @ts-expect-error event names are literal types, so a typo does not compile
if (e.event === "paystubs.fully_syncd") count = -1;

// Options read from a handler's config are often "number | undefined": under exactOptionalPropertyTypes
// an optional option must still take undefined, which the library treats as not given.
const config: { tolerance?: number | undefined; strict?: boolean | undefined; eventId?: string | undefined } = {};
parseWebhookEvent({ secret, headers, rawBody: body, toleranceSeconds: config.tolerance, now: undefined, strict: config.strict });
verifyWebhook({ secret, headers, rawBody: body, toleranceSeconds: config.tolerance });
createSignedRequest("income.added", { secret, eventId: config.eventId, timestamp: undefined, set: undefined });
signedHeaders(secret, body, { timestamp: config.tolerance, webhookId: undefined });
diagnoseWebhook({ rawBody: body, signature: undefined, timestamp: undefined, secret, now: undefined, toleranceSeconds: config.tolerance });

// A fetch-style handler: Headers and bytes.
const fromFetch = parseWebhookEvent({ secret, headers: new Headers(headers), rawBody: new TextEncoder().encode(body) });

let refused = "";
try {
  parseWebhookEvent({ secret: "another-secret", headers, rawBody: body });
} catch (error) {
  if (error instanceof PinwheelWebhookError) refused = \`\${error.reason} \${error.status}\`;
}
console.log(JSON.stringify({ event: e.event, count, fetchEvent: fromFetch.event, refused }));
`;

const REQUIRE_CONSUMER = `
const { createSignedRequest, verifyWebhook } = require("pinwheel-cli");
const { headers, body } = createSignedRequest("income.added", { secret: "s" });
console.log(JSON.stringify(verifyWebhook({ secret: "s", headers, rawBody: body })));
`;

describe("the packed package", { timeout: 180_000 }, () => {
  let dir: string;
  let tarball: string;
  let project: string;
  let packedFiles: string[];
  let skipReason: string | undefined;

  function requireRegistry(context: TestContext): void {
    if (skipReason) context.skip(skipReason);
  }

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), "pinwheel-cli-packed-"));
    const packed = await run("npm", ["pack", "--ignore-scripts", "--json", "--pack-destination", dir], { cwd: REPO_ROOT, env: NPM_ENV, timeout: 30_000 });
    const [info] = JSON.parse(packed.stdout) as [{ filename: string; files: { path: string }[] }];
    packedFiles = info.files.map((file) => file.path);
    tarball = join(dir, info.filename);
    project = join(dir, "consumer");
    mkdirSync(project);
    writeFileSync(join(project, "package.json"), JSON.stringify({ name: "consumer", private: true, type: "module" }));
    writeFileSync(join(project, "tsconfig.json"), JSON.stringify(CONSUMER_TSCONFIG, null, 2));
    writeFileSync(join(project, "consumer.ts"), CONSUMER);
    writeFileSync(join(project, "require-consumer.cjs"), REQUIRE_CONSUMER);
    skipReason = await npmInstall([tarball], project);
    if (skipReason) return;
    // The consumer's compiler and Node types: the checkout's own, linked in (no 20 MB download).
    mkdirSync(join(project, "node_modules", "@types"), { recursive: true });
    symlinkSync(join(REPO_ROOT, "node_modules", "@types", "node"), join(project, "node_modules", "@types", "node"), "dir");
  }, 180_000);

  afterAll(() => {
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it("ships the build, its types, the fixtures, the README and the licence text, and nothing else", () => {
    expect(packedFiles).toEqual(expect.arrayContaining(["LICENSE", "README.md", "dist/index.js", "dist/index.d.ts", "dist/library/parse-event.d.ts", "fixtures/events/paystubs.fully_synced.json"]));
    expect(packedFiles.filter((path) => /^(src|test|examples|docs)\//.test(path))).toEqual([]);
  });

  it("type-checks a strict consumer that narrows on the event name and passes undefined options (exactOptionalPropertyTypes)", async (context) => {
    requireRegistry(context);
    const tsc = join(REPO_ROOT, "node_modules", "typescript", "bin", "tsc");
    const result = await run(process.execPath, [tsc, "-p", "."], { cwd: project, timeout: 60_000 }).catch((error: { stdout?: string; code?: number }) => error);
    expect(result.stdout ?? "", "tsc errors").toBe("");
  });

  it("runs: builds the event from the shipped fixtures, verifies, narrows and refuses a wrong secret", async (context) => {
    requireRegistry(context);
    const { stdout } = await run(process.execPath, [join(project, "out", "consumer.js")], { cwd: project, timeout: 15_000 });
    expect(JSON.parse(stdout)).toEqual({ event: "paystubs.fully_synced", count: 7, fetchEvent: "paystubs.fully_synced", refused: "bad_signature 401" });
  });

  it.runIf((process.features as { require_module?: boolean }).require_module)("works from require() where Node can require ESM (20.19+, 22.12+)", async (context) => {
    requireRegistry(context);
    const { stdout } = await run(process.execPath, [join(project, "require-consumer.cjs")], { cwd: project, timeout: 15_000 });
    expect(JSON.parse(stdout)).toMatchObject({ ok: true });
  });

  describe("npm install --global <tarball>", () => {
    let prefix: string;
    let bin: string;
    let env: NodeJS.ProcessEnv;
    let globalSkip: string | undefined;
    const children = new Set<ChildProcess>();

    beforeAll(async () => {
      if (skipReason) return;
      prefix = join(dir, "global");
      globalSkip = await npmInstall(["--global", "--prefix", prefix, tarball], dir);
      if (globalSkip) return;
      bin = join(prefix, "bin", "pinwheel-cli");
      // better-sqlite3 compiles from source for minutes when its install script runs; the checkout
      // already built the same version for this Node, so its binary is copied in instead.
      const installed = join(prefix, "lib", "node_modules", "pinwheel-cli", "node_modules", "better-sqlite3");
      if (versionOf("better-sqlite3", join(prefix, "lib", "node_modules", "pinwheel-cli")) !== versionOf("better-sqlite3")) {
        throw new Error("the tarball resolves another better-sqlite3 than package-lock.json: update the lockfile");
      }
      const native = join("build", "Release", "better_sqlite3.node");
      mkdirSync(dirname(join(installed, native)), { recursive: true });
      copyFileSync(join(REPO_ROOT, "node_modules", "better-sqlite3", native), join(installed, native));
      const home = join(dir, "home");
      mkdirSync(home);
      env = { ...process.env, PINWHEEL_HOME: home, NO_COLOR: "1", CI: "true", PATH: `${dirname(process.execPath)}${delimiter}${process.env.PATH ?? ""}` };
      for (const name of ["PINWHEEL_API_SECRET", "PINWHEEL_CLI_DB", "FORCE_COLOR"]) delete env[name];
    }, 180_000);

    afterAll(() => {
      for (const child of children) child.kill("SIGKILL");
    });

    function skipUnlessInstalled(context: TestContext): void {
      requireRegistry(context);
      if (globalSkip) context.skip(globalSkip);
    }

    it("puts pinwheel-cli on the prefix's bin/, and it prints the package's version", async (context) => {
      skipUnlessInstalled(context);
      expect(existsSync(bin)).toBe(true);
      const { stdout } = await run(bin, ["--version"], { env, timeout: 15_000 });
      const { version } = JSON.parse(readFileSync(join(REPO_ROOT, "package.json"), "utf8")) as { version: string };
      expect(stdout.trim()).toBe(version);
    });

    it("listen stores what simulate sends, both run from the installed package", async (context) => {
      skipUnlessInstalled(context);
      const secret = "global-install-secret";
      const listen = spawn(bin, ["listen", "--port", "0", "--json", "--no-ui", "--secret", secret, "--db", join(dir, "global.db")], { env, stdio: ["ignore", "pipe", "pipe"] });
      children.add(listen);
      let stdout = "";
      let stderr = "";
      listen.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString("utf8")));
      const lines = (): Record<string, unknown>[] =>
        stdout
          .split("\n")
          .filter((line) => line.startsWith("{"))
          .map((line) => JSON.parse(line) as Record<string, unknown>);
      listen.stdout.on("data", (chunk: Buffer) => (stdout += chunk.toString("utf8")));
      const waitForLine = (predicate: (line: Record<string, unknown>) => boolean) =>
        new Promise<Record<string, unknown>>((resolve, reject) => {
          const check = () => {
            const found = lines().find(predicate);
            if (!found) return;
            listen.stdout.off("data", check);
            resolve(found);
          };
          listen.stdout.on("data", check);
          listen.once("close", (code) => reject(new Error(`listen exited (${code}): ${stderr}`)));
          check();
        });
      const ready = await waitForLine((line) => line.type === "ready");
      const simulated = await run(bin, ["simulate", "income.added", "--to", String(ready.url), "--secret", secret, "--json"], { env, timeout: 30_000 });
      expect(JSON.parse(simulated.stdout.split("\n")[0]!)).toMatchObject({ event: "income.added", ok: true, status_code: 200 });
      const request = await waitForLine((line) => line.type === "request");
      expect(request).toMatchObject({ event: "income.added" });
      listen.kill("SIGTERM");
    });
  });
});
