import { accessSync, closeSync, constants, existsSync, openSync, readFileSync, statSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname } from "node:path";
import { makeDirectory } from "../make-directory.js";
import Database from "better-sqlite3";
import { currentVersion, migrate, newerSchemaError, refuseForeignDatabase, SCHEMA_VERSION, type SchemaChange } from "./migrations.js";
import { StoreError } from "./store-error.js";

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
  /**
   * For a command that reads many rows (replay --all): up to this many bytes of the file are
   * memory-mapped, so reading a page is no system call (a first scan of 10,000 stored requests
   * took about 100 ms of CPU in reads, 18 ms mapped).
   */
  mapBytes?: number;
  /**
   * For a command that only reads (events list/show, deliveries list, verify <id>): an existing
   * store is opened read-only and left at its schema, not migrated, so a file this user cannot
   * write (a CI artifact, a colleague's file, a read-only mount) reads as any other, and a read
   * never moves a store past what an older pinwheel-cli understands. A missing or empty file is
   * opened as usual (created, unless mustExist).
   */
  readOnly?: boolean;
  /** Told when opening moved an existing store (not a new one) to a newer schema. */
  onMigrated?: (change: SchemaChange) => void;
}

/**
 * The addon is absent (npm skipped better-sqlite3's install script) or was built for another Node.
 * A failure of the file itself (an errno or a SQLite code) never is, whatever its message says:
 * that message names the store's path, which may spell anything (a folder named better_sqlite3.node).
 */
function isDriverFailure(code: string, message: string, file: string): boolean {
  if (code === "ERR_DLOPEN_FAILED") return true;
  if (/^(E[A-Z0-9]+|SQLITE_\w+)$/.test(code)) return false;
  const aboutTheDriver = file === "" ? message : message.split(file).join("");
  return /better_sqlite3\.node|Could not locate the bindings file|NODE_MODULE_VERSION/.test(aboutTheDriver);
}

/**
 * The driver's failure on one line: Node's "built for another Node" message spans lines, its cause
 * (the two NODE_MODULE_VERSIONs) after the first; its own advice gives way to ours. Other
 * failures list every path tried after their first line ("... Tried:", which then ends it).
 */
function driverFailureDetail(detail: string): string {
  if (!detail.includes("NODE_MODULE_VERSION")) return (detail.split("\n")[0] ?? detail).replace(/\.?\s*Tried:\s*$/, "");
  return detail.split(/\s*\n\s*/).join(" ").replace(/\.?\s*Please try re-compiling.*$/s, "");
}

/**
 * No addon file at all (the `bindings` lookup found none, or the file named is not there): its
 * install script never ran. Anything else (another Node's build, a damaged file) is there but
 * cannot be loaded.
 */
function addonProblem(detail: string): "not_built" | "unloadable" {
  return /Could not locate the bindings file|Cannot find module|No such file or directory/.test(detail) ? "not_built" : "unloadable";
}

export function describeOpenFailure(file: string, error: unknown): StoreError {
  const code = (error as { code?: string }).code ?? "";
  const detail = error instanceof Error ? error.message : String(error);
  if (isDriverFailure(code, detail, file)) {
    return new StoreError({ kind: "driver_unavailable", file, detail: driverFailureDetail(detail), addon: addonProblem(detail) });
  }
  if (code === "SQLITE_NOTADB" || code === "SQLITE_CORRUPT") return new StoreError({ kind: "not_a_database", file, detail });
  if (code === "SQLITE_BUSY" || code === "SQLITE_LOCKED") return new StoreError({ kind: "locked", file, detail });
  if (code === "EACCES" || code === "EPERM" || code === "EROFS" || code === "SQLITE_CANTOPEN" || code === "SQLITE_READONLY") {
    return new StoreError({ kind: "unwritable", file, detail });
  }
  return new StoreError({ kind: "cannot_open", file, detail });
}

/**
 * Creates the file 0600 (SQLite would make it 0644) or, when it exists, checks that it can be
 * read and written, without opening it: closing any descriptor of a file drops every POSIX lock
 * the process holds on it, the shared lock of each SQLite connection it already has open
 * included (listen opens several). Without that lock, another SQLite client closing the store
 * takes itself for the last one and deletes the write-ahead log the open connections still
 * commit into, where no other process reads and a crash loses what was committed.
 */
function createPrivately(path: string): void {
  try {
    closeSync(openSync(path, "wx", 0o600));
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== "EEXIST") throw error;
    if (statSync(path).isDirectory()) throw Object.assign(new Error(`EISDIR: illegal operation on a directory, open '${path}'`), { code: "EISDIR" });
    accessSync(path, constants.R_OK | constants.W_OK);
  }
}

/**
 * Opens (creating and migrating) the event store. The file is created 0600 because it holds
 * request bodies; WAL lets `listen` write while `events list` reads from another process, and
 * synchronous=FULL makes a committed row survive a crash. A file it cannot use is a StoreError.
 */
export function openDatabase(path: string, options: OpenOptions = {}): Db {
  let db: Db | undefined;
  if (options.mustExist && path !== ":memory:" && !existsSync(path)) {
    throw new StoreError({ kind: "missing", file: path });
  }
  if (options.readOnly && path !== ":memory:" && existsSync(path) && !statSync(path).isDirectory() && statSync(path).size > 0) {
    return openReadOnly(path, options);
  }
  try {
    if (path !== ":memory:") {
      makeDirectory(dirname(path), 0o700);
      createPrivately(path);
    }
    db = new Database(path, NATIVE_BINDING ? { nativeBinding: NATIVE_BINDING } : {});
    db.pragma(`busy_timeout = ${options.busyTimeoutMs ?? 5000}`);
    const version = refuseForeignDatabase(db);
    db.pragma("journal_mode = WAL");
    db.pragma("synchronous = FULL");
    if (options.mapBytes) db.pragma(`mmap_size = ${Math.floor(options.mapBytes)}`);
    const change = migrate(db, version);
    if (change.from > 0 && change.from !== change.to) options.onMigrated?.(change);
    return db;
  } catch (error) {
    db?.close();
    if (error instanceof StoreError) throw error;
    throw describeOpenFailure(path, error);
  }
}

/** The largest store read into memory when its folder forbids the -shm a read in place needs. */
const MAX_IMAGE_BYTES = 256 * 1024 * 1024;

/** SQLite could not make the -shm beside a WAL database: its directory is not this user's to write. */
function isShmRefused(error: unknown): boolean {
  const code = (error as { code?: string }).code ?? "";
  return code === "SQLITE_READONLY_DIRECTORY" || code === "SQLITE_CANTOPEN" || code.startsWith("SQLITE_READONLY_CANT");
}

/**
 * The store as it is on disk, read-only and not migrated. Reading a WAL database needs its -shm
 * (created beside it when missing); where the directory forbids that and there is no -wal file,
 * every committed row is in the main file, so its bytes are read into memory and opened there
 * (this build's better-sqlite3 takes no URI, so `?immutable=1` is not available). With a -wal
 * file the user cannot index, reading the main file alone would silently miss its rows: refused.
 */
function openReadOnly(path: string, options: OpenOptions): Db {
  const binding = NATIVE_BINDING ? { nativeBinding: NATIVE_BINDING } : {};
  let db: Db | undefined;
  try {
    try {
      db = new Database(path, { ...binding, readonly: true, fileMustExist: true });
      db.pragma(`busy_timeout = ${options.busyTimeoutMs ?? 5000}`);
      checkReadable(db, path);
    } catch (error) {
      db?.close();
      db = undefined;
      if (!isShmRefused(error)) throw error;
      if (existsSync(`${path}-wal`) && statSync(`${path}-wal`).size > 0) {
        throw new StoreError({
          kind: "cannot_open",
          file: path,
          detail: `its write-ahead log ${path}-wal holds rows not yet in the file, and this user cannot create ${path}-shm beside it to read them (${(error as Error).message})`,
        });
      }
      const size = statSync(path).size;
      if (size > MAX_IMAGE_BYTES) {
        throw new StoreError({
          kind: "cannot_open",
          file: path,
          detail: `this user cannot create ${path}-shm beside it to read it in place, and at ${Math.round(size / 1024 / 1024)} MiB it is too large to read into memory; copy it to a folder you can write and read the copy`,
        });
      }
      const image = readFileSync(path);
      // Bytes 18-19 say WAL; an in-memory image has no log, so it reads as a rollback-journal file.
      if (image.length >= 20) image[18] = image[19] = 1;
      db = new Database(image, { ...binding, readonly: true });
      checkReadable(db, path);
    }
    if (currentVersion(db) === 0) {
      // A file created but never given its tables (size > 0 only if SQLite wrote its header).
      db.close();
      db = undefined;
      if (!canWrite(path)) throw new StoreError({ kind: "not_a_database", file: path, detail: "an empty store this user cannot write, so it has no tables to read" });
      return openDatabase(path, { ...options, readOnly: false });
    }
    if (options.mapBytes) db.pragma(`mmap_size = ${Math.floor(options.mapBytes)}`);
    return db;
  } catch (error) {
    db?.close();
    if (error instanceof StoreError) throw error;
    throw describeOpenFailure(path, error);
  }
}

/** A store read-only must be one (not another program's file) this build can read. */
function checkReadable(db: Db, path: string): void {
  const version = refuseForeignDatabase(db, path);
  if (version > SCHEMA_VERSION) throw newerSchemaError(db, path, version);
}

function canWrite(path: string): boolean {
  try {
    accessSync(path, constants.W_OK);
    return true;
  } catch {
    return false;
  }
}
