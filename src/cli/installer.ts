import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { packageManagerAgent } from "../config.js";

/**
 * The package manager that installed this pinwheel-cli, for advice only it can follow: each one
 * allows a dependency's build script (better-sqlite3's) its own way. "pnpm-dlx" is pnpm's one-off
 * run (pnpm dlx), whose install no project setting reaches.
 */
export type Installer = "npm" | "pnpm" | "pnpm-dlx" | "yarn" | "bun";

export interface InstallSigns {
  /** This file's path: where the package manager put pinwheel-cli. */
  location: string;
  /** npm_config_user_agent, when a package manager started the process. */
  agent: string | undefined;
  /** Running under Yarn Plug'n'Play (process.versions.pnp is set). */
  pnp: boolean;
  /** Whether a file exists (a lockfile or a linker's state file beside node_modules). */
  exists: (path: string) => boolean;
}

/**
 * Reads the layout first, which says who installed it whoever runs it (a .bin started by hand, or
 * through another tool), then who started the process.
 */
export function installerOf({ location, agent, pnp, exists }: InstallSigns): Installer {
  const path = location.replace(/\\/g, "/");
  if (pnp || path.includes("/.yarn/")) return "yarn";
  if (path.includes("/node_modules/.pnpm/")) return /\/dlx\/[^/]+\/.*\/node_modules\/\.pnpm\//.test(path) ? "pnpm-dlx" : "pnpm";
  if (path.includes("/node_modules/.bun/") || /\/bunx-[^/]*\//.test(path)) return "bun";
  const modules = path.lastIndexOf("/node_modules/");
  if (modules >= 0) {
    const project = path.slice(0, modules);
    if (exists(`${project}/node_modules/.yarn-state.yml`)) return "yarn";
    if (exists(`${project}/bun.lock`) || exists(`${project}/bun.lockb`)) return "bun";
  }
  const name = /^([a-z]+)\/(\d+)/.exec(agent ?? "");
  if (name?.[1] === "pnpm") return "pnpm";
  // Yarn 1 runs install scripts as npm does, and npm rebuild works in its node_modules.
  if (name?.[1] === "yarn" && Number(name[2]) >= 2) return "yarn";
  if (name?.[1] === "bun") return "bun";
  return "npm";
}

let cached: Installer | undefined;

/** This process's installer (see installerOf), worked out once. */
export function currentInstaller(): Installer {
  cached ??= installerOf({ location: fileURLToPath(import.meta.url), agent: packageManagerAgent(), pnp: Boolean(process.versions.pnp), exists: existsSync });
  return cached;
}

/**
 * What to do when better-sqlite3 has no usable addon, in the words of the package manager that
 * installed it: "not_built" when its install script never ran (pnpm 10, Yarn 4 and npm 12 run a
 * dependency's only once the project allows it), "unloadable" when it was built for another Node.
 * No package can allow its own dependency's build: the project installing it does.
 */
export function driverAdvice(installer: Installer, addon: "not_built" | "unloadable" | undefined): string {
  const rebuild = addon === "unloadable";
  switch (installer) {
    case "pnpm":
      return rebuild
        ? 'run "pnpm rebuild better-sqlite3" where pinwheel-cli is installed'
        : 'pnpm skipped its build script: run "pnpm approve-builds" where pinwheel-cli is installed and approve better-sqlite3';
    case "pnpm-dlx":
      // Its cached install was built for another Node: dlx-cache-max-age=0 installs afresh.
      return rebuild
        ? 'run "pnpm --config.dlx-cache-max-age=0 dlx --allow-build=better-sqlite3 pinwheel-cli ..." (a fresh install, built for this Node)'
        : 'pnpm dlx skipped its build script: run "pnpm dlx --allow-build=better-sqlite3 pinwheel-cli ..."';
    case "yarn":
      return rebuild
        ? 'run "yarn rebuild better-sqlite3" where pinwheel-cli is installed'
        : 'Yarn skipped its build script: add "dependenciesMeta": {"better-sqlite3": {"built": true}} to package.json where pinwheel-cli is installed, then run "yarn install"';
    case "bun":
      return rebuild
        ? 'reinstall better-sqlite3: run "bun install --force" where pinwheel-cli is installed'
        : 'bun skipped its build script: run "bun pm trust better-sqlite3" where pinwheel-cli is installed';
    case "npm":
      // npm 12 skips install scripts a project has not approved; switching Node needs a rebuild.
      return 'run "npm rebuild better-sqlite3" where pinwheel-cli is installed (npm 12 first needs "npm install-scripts approve better-sqlite3")';
  }
}
