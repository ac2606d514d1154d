/**
 * SLOW (about 10-20 s; bounded at 90 s): the package as users get it. `npm pack` the BUILT
 * package (npm run build first), install the tarball into a temp project from the npm cache
 * (offline, --ignore-scripts: the library must not need better-sqlite3's native build), then
 * type-check a strict consumer against the emitted .d.ts and run it with node, ESM and require().
 */
import { execFile } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { REPO_ROOT } from "../helpers/cli.js";

const run = promisify(execFile);
const NPM_ENV = { ...process.env, npm_config_update_notifier: "false", npm_config_fund: "false", npm_config_audit: "false" };

function versionOf(pkg: string): string {
  return (JSON.parse(readFileSync(join(REPO_ROOT, "node_modules", pkg, "package.json"), "utf8")) as { version: string }).version;
}

const CONSUMER = `
import { createSignedRequest, parseWebhookEvent, PinwheelWebhookError, type PinwheelWebhookEvent, type UnknownPinwheelEvent } from "pinwheel-cli";

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

const TSCONFIG = {
  compilerOptions: {
    target: "ES2022",
    module: "NodeNext",
    moduleResolution: "NodeNext",
    lib: ["ES2022"],
    types: ["node"],
    strict: true,
    noUncheckedIndexedAccess: true,
    exactOptionalPropertyTypes: true,
    verbatimModuleSyntax: true,
    // Checking every .d.ts (zod's, node's) takes 30 s; a broken one of ours still shows, as the
    // any-typed results would leave the @ts-expect-error lines unused, which is an error.
    skipLibCheck: true,
    outDir: "out",
  },
  include: ["consumer.ts"],
};

describe("the packed package", { timeout: 90_000 }, () => {
  let dir: string;
  let project: string;
  let packedFiles: string[];

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), "pinwheel-cli-packed-"));
    const packed = await run("npm", ["pack", "--ignore-scripts", "--json", "--pack-destination", dir], { cwd: REPO_ROOT, env: NPM_ENV, timeout: 30_000 });
    const [info] = JSON.parse(packed.stdout) as [{ filename: string; files: { path: string }[] }];
    packedFiles = info.files.map((file) => file.path);
    project = join(dir, "consumer");
    mkdirSync(project);
    writeFileSync(join(project, "package.json"), JSON.stringify({ name: "consumer", private: true, type: "module" }));
    writeFileSync(join(project, "tsconfig.json"), JSON.stringify(TSCONFIG, null, 2));
    writeFileSync(join(project, "consumer.ts"), CONSUMER);
    writeFileSync(join(project, "require-consumer.cjs"), REQUIRE_CONSUMER);
    await run(
      "npm",
      [
        "install",
        "--ignore-scripts",
        "--offline",
        "--no-audit",
        "--no-fund",
        "--no-package-lock",
        join(dir, info.filename),
        `typescript@${versionOf("typescript")}`,
        `@types/node@${versionOf("@types/node")}`,
      ],
      { cwd: project, env: NPM_ENV, timeout: 60_000 },
    );
  }, 90_000);

  afterAll(() => {
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it("ships the build, its types and the fixtures, and nothing else", () => {
    expect(packedFiles).toEqual(expect.arrayContaining(["dist/index.js", "dist/index.d.ts", "dist/library/parse-event.d.ts", "fixtures/events/paystubs.fully_synced.json"]));
    expect(packedFiles.filter((path) => /^(src|test|examples|docs)\//.test(path))).toEqual([]);
  });

  it("type-checks a strict consumer that narrows on the event name", async () => {
    const tsc = join(project, "node_modules", "typescript", "bin", "tsc");
    const result = await run(process.execPath, [tsc, "-p", "."], { cwd: project, timeout: 60_000 }).catch((error: { stdout?: string; code?: number }) => error);
    expect(result.stdout ?? "", "tsc errors").toBe("");
  });

  it("runs: builds the event from the shipped fixtures, verifies, narrows and refuses a wrong secret", async () => {
    const { stdout } = await run(process.execPath, [join(project, "out", "consumer.js")], { cwd: project, timeout: 15_000 });
    expect(JSON.parse(stdout)).toEqual({ event: "paystubs.fully_synced", count: 7, fetchEvent: "paystubs.fully_synced", refused: "bad_signature 401" });
  });

  it.runIf((process.features as { require_module?: boolean }).require_module)("works from require() where Node can require ESM (20.19+, 22.12+)", async () => {
    const { stdout } = await run(process.execPath, [join(project, "require-consumer.cjs")], { cwd: project, timeout: 15_000 });
    expect(JSON.parse(stdout)).toMatchObject({ ok: true });
  });
});
