/**
 * An installation whose package manager skipped better-sqlite3's build (pnpm 10, Yarn 4 and npm 12
 * do unless the project allows it): the deliveries still go out, and every command that needs the
 * store says, in one line, what is wrong and how to allow the build.
 */
import { cpSync, mkdirSync, mkdtempSync, readdirSync, rmSync, symlinkSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { REPO_ROOT, runCli, tempHome, type TempHome } from "../helpers/cli.js";
import { useRecordingServers } from "../helpers/servers.js";

let install: string;
let home: TempHome;
const recordingServer = useRecordingServers();

/** This build as a package manager that skipped the addon's build leaves it: better-sqlite3 with no build/. */
function installWithoutAddon(): string {
  const root = mkdtempSync(join(tmpdir(), "pinwheel-no-addon-"));
  for (const part of ["bin", "dist", "fixtures", "package.json"]) cpSync(join(REPO_ROOT, part), join(root, part), { recursive: true });
  const modules = join(root, "node_modules");
  mkdirSync(modules);
  for (const name of readdirSync(join(REPO_ROOT, "node_modules"))) {
    if (name === "better-sqlite3" || name === ".bin") continue;
    symlinkSync(join(REPO_ROOT, "node_modules", name), join(modules, name));
  }
  cpSync(join(REPO_ROOT, "node_modules", "better-sqlite3"), join(modules, "better-sqlite3"), {
    recursive: true,
    filter: (source) => !source.startsWith(join(REPO_ROOT, "node_modules", "better-sqlite3", "build")),
  });
  return root;
}

beforeAll(() => {
  install = installWithoutAddon();
  home = tempHome();
});

afterAll(() => {
  home.cleanup();
  rmSync(install, { recursive: true, force: true });
});

const cli = (args: string[]) => runCli(args, { env: { ...home.env, npm_config_user_agent: "pnpm/10.34.9 npm/? node/v20.20.2 linux x64" }, cliPath: join(install, "bin", "pinwheel-cli.cjs") });

describe("an installation without the SQLite addon", () => {
  it("simulate --to sends, signed, and says once that its attempts are not recorded and how to allow the build", async () => {
    const app = await recordingServer();
    const result = await cli(["simulate", "income.added", "--to", app.url, "--count", "3"]);
    expect(result.code, result.stderr).toBe(0);
    expect(app.requests).toHaveLength(3);
    for (const request of app.requests) expect(request.headers["x-pinwheel-signature"]).toMatch(/^v2=[0-9a-f]{64}$/);
    const warnings = result.stderr.split("\n").filter((line) => line.includes("not recorded"));
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatch(/no usable native addon .*run "pnpm approve-builds" .*Sending anyway; this run's attempts are not recorded/);
    expect(result.stderr).not.toMatch(/\n\s+at /);
  });

  it("a command that needs the store exits 1 with the same advice on one line", async () => {
    const result = await cli(["events", "list"]);
    expect(result.code).toBe(1);
    expect(result.stderr.trim().split("\n")).toHaveLength(1);
    expect(result.stderr).toMatch(/no usable native addon .*run "pnpm approve-builds"/);
  });
});
