import { describe, expect, it } from "vitest";
import { driverAdvice, installerOf, type InstallSigns } from "../../src/cli/installer.js";

/** The signs of an install at this path (the layouts below are the ones each package manager made). */
function signs(location: string, more: Partial<InstallSigns> = {}): InstallSigns {
  return { location, agent: undefined, pnp: false, exists: () => false, ...more };
}

const IN_PNPM = "/app/node_modules/.pnpm/pinwheel-cli@0.1.0/node_modules/pinwheel-cli/dist/cli.js";
const IN_DLX =
  "/home/u/.cache/pnpm/dlx/46a2de65/1a23ca47c34-3c17/node_modules/.pnpm/pinwheel-cli@0.1.0/node_modules/pinwheel-cli/dist/cli.js";
const HOISTED = "/app/node_modules/pinwheel-cli/dist/cli.js";

describe("which package manager installed pinwheel-cli", () => {
  it("reads it from the layout, whoever started the process", () => {
    expect(installerOf(signs(IN_PNPM, { agent: "npm/11.19.1 node/v20.20.2 linux x64" }))).toBe("pnpm");
    expect(installerOf(signs(IN_DLX))).toBe("pnpm-dlx");
    expect(installerOf(signs("/home/u/.yarn/berry/cache/pinwheel-cli-npm-0.1.0-abc.zip/node_modules/pinwheel-cli/dist/cli.js"))).toBe("yarn");
    expect(installerOf(signs("/tmp/yarncache/pinwheel-cli-file-abc.zip/node_modules/pinwheel-cli/dist/cli.js", { pnp: true }))).toBe("yarn");
    expect(installerOf(signs("/app/node_modules/.bun/pinwheel-cli@0.1.0/node_modules/pinwheel-cli/dist/cli.js"))).toBe("bun");
    expect(installerOf(signs("C:\\app\\node_modules\\.pnpm\\pinwheel-cli@0.1.0\\node_modules\\pinwheel-cli\\dist\\cli.js"))).toBe("pnpm");
  });

  it("a hoisted node_modules says it by what lies beside it: Yarn's state file, bun's lockfile", () => {
    expect(installerOf(signs(HOISTED, { exists: (path) => path === "/app/node_modules/.yarn-state.yml" }))).toBe("yarn");
    expect(installerOf(signs(HOISTED, { exists: (path) => path === "/app/bun.lock" }))).toBe("bun");
    expect(installerOf(signs(HOISTED, { exists: (path) => path === "/app/package-lock.json" }))).toBe("npm");
  });

  it("otherwise by the package manager that started it; Yarn 1 runs install scripts as npm does", () => {
    expect(installerOf(signs(HOISTED, { agent: "pnpm/10.34.9 npm/? node/v20.20.2 linux x64" }))).toBe("pnpm");
    expect(installerOf(signs(HOISTED, { agent: "yarn/4.18.1 npm/? node/v20.20.2 linux x64" }))).toBe("yarn");
    expect(installerOf(signs(HOISTED, { agent: "yarn/1.22.22 npm/? node/v20.20.2 linux x64" }))).toBe("npm");
    expect(installerOf(signs(HOISTED, { agent: "bun/1.4.5 npm/? node/v24.3.0 linux x64" }))).toBe("bun");
    expect(installerOf(signs(HOISTED))).toBe("npm");
    expect(installerOf(signs("/work/pinwheel-cli/dist/cli.js"))).toBe("npm");
  });
});

describe("what to do about a driver with no usable addon", () => {
  it("names one command of the installer's, allowing the build when it never ran and rebuilding when it ran for another Node", () => {
    const installers = ["npm", "pnpm", "pnpm-dlx", "yarn", "bun"] as const;
    for (const installer of installers) {
      for (const addon of ["not_built", "unloadable"] as const) {
        const advice = driverAdvice(installer, addon);
        expect(advice).toMatch(/^(run|reinstall better-sqlite3: run|\w+( dlx)? skipped its build script: (run|add))/);
        expect(advice).toContain("better-sqlite3");
        expect(advice).not.toMatch(/\n/);
      }
    }
    expect(driverAdvice("pnpm", "not_built")).toContain('"pnpm approve-builds"');
    expect(driverAdvice("pnpm", "unloadable")).toContain('"pnpm rebuild better-sqlite3"');
    expect(driverAdvice("yarn", "not_built")).toContain('"dependenciesMeta": {"better-sqlite3": {"built": true}}');
    expect(driverAdvice("yarn", "unloadable")).toContain('"yarn rebuild better-sqlite3"');
    // An older error without the distinction: npm's advice covers both.
    expect(driverAdvice("npm", undefined)).toBe(driverAdvice("npm", "not_built"));
  });
});
