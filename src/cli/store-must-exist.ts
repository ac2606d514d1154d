import { resolvePaths } from "../config.js";
import type { Target } from "../registry/target.js";

// Its own module, apart from read-store.ts: the registry's commands ask it before they know whether
// they will open a store at all (an http target opens none), so it must not load SQLite.

/** Whether a command that does not create a store must find this one: any but the default, which a first use creates. */
export function storeMustExist(path: string): boolean {
  return path !== resolvePaths().defaultDb;
}

/**
 * The same for a command on the local registry or sandbox: only one that adds to it
 * (`createsStore`: webhooks create, sandbox connect) makes a store at a path the user chose.
 */
export function localStoreMustExist(target: Target, createsStore: boolean): boolean {
  return target.kind === "local" && !createsStore && storeMustExist(target.dbPath);
}
