import { closeSync, existsSync, mkdirSync, openSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname } from "node:path";
import Database from "better-sqlite3";
import { CliError } from "../errors.js";
import { migrate } from "./migrations.js";

export type Db = Database.Database;

/**
 * The addon's own file, so better-sqlite3 need not search for it: its default lookup (the
 * `bindings` package) stats a dozen candidate paths and costs a one-shot command a few percent
 * of its CPU. Undefined (the default lookup) if the package is laid out differently.
 */
const NATIVE_BINDING: string | undefined = (() => {
  try {
    return createRequire(import.meta.url).resolve("better-sqlite3/build/Release/better_sqlite3.node");
  } catch {
    return undefined;
  }
})();

export interface OpenOptions {
  /** How long to wait for another process's write lock. */
  busyTimeoutMs?: number;
  /** For a path the user typed to read from: a missing file is a mistake to report, not a database to create. */
  mustExist?: boolean;
}

function describeOpenFailure(path: string, error: unknown): CliError {
  const code = (error as { code?: string }).code ?? "";
  const reason = error instanceof Error ? error.message : String(error);
  if (code === "SQLITE_NOTADB" || code === "SQLITE_CORRUPT") {
    return new CliError(`${path} is not a usable pinwheel-cli database (${reason}); move it aside or pass --db <path>`);
  }
  if (code === "SQLITE_BUSY" || code === "SQLITE_LOCKED") {
    return new CliError(`${path} is locked by another process; try again, or pass --db <path>`);
  }
  if (code === "EACCES" || code === "EPERM" || code === "EROFS" || code === "SQLITE_CANTOPEN" || code === "SQLITE_READONLY") {
    return new CliError(`cannot write the event database at ${path} (${reason}); pass --db <path> or set PINWHEEL_CLI_DB`);
  }
  return new CliError(`cannot open the event database at ${path}: ${reason}`);
}

/**
 * Opens (creating and migrating) the event store. The file is created 0600 because it holds
 * request bodies; WAL lets `listen` write while `events list` reads from another process, and
 * synchronous=FULL makes a committed row survive a crash.
 */
export function openDatabase(path: string, options: OpenOptions = {}): Db {
  let db: Db | undefined;
  if (options.mustExist && path !== ":memory:" && !existsSync(path)) {
    throw new CliError(`no event database at ${path}; check the path (listen creates one when it starts)`);
  }
  try {
    if (path !== ":memory:") {
      mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
      closeSync(openSync(path, "a", 0o600));
    }
    db = new Database(path, NATIVE_BINDING ? { nativeBinding: NATIVE_BINDING } : {});
    db.pragma(`busy_timeout = ${options.busyTimeoutMs ?? 5000}`);
    db.pragma("journal_mode = WAL");
    db.pragma("synchronous = FULL");
    migrate(db);
    return db;
  } catch (error) {
    db?.close();
    if (error instanceof CliError) throw error;
    if (error instanceof Error && /newer than this pinwheel-cli/.test(error.message)) {
      throw new CliError(`${path}: ${error.message}`);
    }
    throw describeOpenFailure(path, error);
  }
}
