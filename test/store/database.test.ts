import { closeSync, existsSync, mkdirSync, mkdtempSync, openSync, readFileSync, rmSync, statSync, writeFileSync, writeSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import Database from "better-sqlite3";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { wordError } from "../../src/cli/word-error.js";
import { describeOpenFailure, openDatabase } from "../../src/store/database.js";
import { MIGRATIONS, SCHEMA_VERSION } from "../../src/store/migrations.js";
import { requestStore } from "../../src/store/requests.js";
import { StoreError, type StoreProblem } from "../../src/store/store-error.js";
import { VERSION } from "../../src/version.js";
import { storedRow } from "../helpers/stored-requests.js";
import { oldStore } from "../helpers/old-store.js";

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), "pinwheel-db-"));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

/** The StoreError a call throws: its kind and file as data, a one-line message that names no flag. */
function expectStoreError(run: () => unknown, kind: StoreProblem, file: string, pattern: RegExp): StoreError {
  let caught: unknown;
  try {
    run();
  } catch (error) {
    caught = error;
  }
  expect(caught).toBeInstanceOf(StoreError);
  const error = caught as StoreError;
  expect({ kind: error.kind, file: error.file }).toEqual({ kind, file });
  expect(error.message).toMatch(pattern);
  expect(error.message).not.toMatch(/\n|--db/);
  return error;
}

describe("openDatabase", () => {
  it("creates the file 0600 in a new directory, in WAL mode, at the newest schema", () => {
    const path = join(dir, "nested", "events.db");
    const db = openDatabase(path);
    expect(statSync(path).mode & 0o777).toBe(0o600);
    expect(db.pragma("journal_mode", { simple: true })).toBe("wal");
    expect(db.pragma("synchronous", { simple: true })).toBe(2);
    expect(db.pragma("user_version", { simple: true })).toBe(SCHEMA_VERSION);
    db.close();
  });

  it("migrates a database written by an older version and keeps its rows", () => {
    const path = join(dir, "old.db");
    oldStore(path, 1);

    const db = openDatabase(path);
    expect(db.pragma("user_version", { simple: true })).toBe(SCHEMA_VERSION);
    expect(requestStore(db).find("old-event")?.event).toBe("income.added");
    db.close();
  });

  it("gives a current store an older build made (no store_info) the table its inserts read, once, and reads it read-only as it is", () => {
    const path = join(dir, "before-store-info.db");
    oldStore(path, SCHEMA_VERSION);

    const reader = openDatabase(path, { readOnly: true });
    expect(requestStore(reader).list().map((row) => row.eventId)).toEqual(["old-event"]);
    expect(requestStore(reader).deletedUpTo()).toBe(0);
    reader.close();

    const db = openDatabase(path);
    expect(requestStore(db).insert(storedRow("new-event")).id).toBe(2);
    db.close();
  });

  it("refuses a database from a newer version with one line saying what to do", () => {
    const path = join(dir, "new.db");
    const newer = new Database(path);
    newer.exec("CREATE TABLE requests (id INTEGER PRIMARY KEY)");
    newer.pragma(`user_version = ${SCHEMA_VERSION + 1}`);
    newer.close();
    const error = expectStoreError(
      () => openDatabase(path),
      "newer_schema",
      path,
      /newer than this pinwheel-cli understands \(\d+\); a newer pinwheel-cli wrote it: run that one, or move the file aside to start a new store$/,
    );
    expect(error.version).toEqual({ found: SCHEMA_VERSION + 1, supported: SCHEMA_VERSION });
    // Read-only (events list) refuses it the same way.
    expectStoreError(() => openDatabase(path, { readOnly: true }), "newer_schema", path, /a newer pinwheel-cli wrote it/);
  });

  it("records which pinwheel-cli migrated a store, and names it to an older build that cannot read it", () => {
    const path = join(dir, "migrated.db");
    openDatabase(path).close();
    const newer = new Database(path);
    expect(newer.prepare("SELECT value FROM store_info WHERE key = 'migrated_by'").pluck().get()).toBe(`pinwheel-cli ${VERSION} (schema ${SCHEMA_VERSION})`);
    // What a later build does: its own migration, and its name in store_info.
    newer.pragma(`user_version = ${SCHEMA_VERSION + 1}`);
    newer.prepare("UPDATE store_info SET value = 'pinwheel-cli 0.2.0 (schema 99)' WHERE key = 'migrated_by'").run();
    newer.close();
    const error = expectStoreError(() => openDatabase(path), "newer_schema", path, /; pinwheel-cli 0\.2\.0 \(schema 99\) wrote it: run that one, or move the file aside to start a new store$/);
    expect(error.writtenBy).toBe("pinwheel-cli 0.2.0 (schema 99)");
  });

  it("tells the caller when it migrated an existing store, not when it made a new one", () => {
    const changes: unknown[] = [];
    openDatabase(join(dir, "fresh.db"), { onMigrated: (change) => changes.push(change) }).close();
    expect(changes).toEqual([]);
    const path = join(dir, "older.db");
    const old = new Database(path);
    old.exec(MIGRATIONS[0]!);
    old.pragma("user_version = 1");
    old.close();
    openDatabase(path, { onMigrated: (change) => changes.push(change) }).close();
    openDatabase(path, { onMigrated: (change) => changes.push(change) }).close();
    expect(changes).toEqual([{ from: 1, to: SCHEMA_VERSION }]);
  });

  it("says how to save the rows of a damaged store (sqlite3 .recover)", () => {
    const path = join(dir, "damaged store.db");
    openDatabase(path).close();
    // Page 1 past the file header holds the schema: overwritten, every open fails as malformed.
    const fd = openSync(path, "r+");
    writeSync(fd, Buffer.alloc(3000, 0xa5), 0, 3000, 100);
    closeSync(fd);
    const error = expectStoreError(() => openDatabase(path), "not_a_database", path, /malformed/);
    expect(error.message).toContain(`; to save its rows, run: sqlite3 '${path}' ".recover" | sqlite3 recovered.db`);
  });

  it("refuses another program's database, leaving it byte for byte as it was", () => {
    for (const [name, version, tables] of [
      ["app.db", 0, ["users", "orders"]],
      ["versioned-app.db", 3, ["accounts"]],
      ["newer-app.db", SCHEMA_VERSION + 40, ["events"]],
      ["bare-version.db", SCHEMA_VERSION, []],
    ] as const) {
      const path = join(dir, name);
      const app = new Database(path);
      for (const table of tables) app.exec(`CREATE TABLE ${table} (id INTEGER PRIMARY KEY, name TEXT)`);
      app.pragma(`user_version = ${version}`);
      app.close();
      const before = readFileSync(path);
      const error = expectStoreError(() => openDatabase(path), "not_a_database", path, /not a usable pinwheel-cli database \(.*left unchanged\)/);
      expect(error.message).toContain(tables.length === 0 ? `user_version ${version} but no tables` : `another program's: tables ${[...tables].sort().join(", ")}`);
      expect(readFileSync(path).equals(before), name).toBe(true);
      expect(existsSync(`${path}-wal`), name).toBe(false);
    }
  });

  it("names a corrupt file and what to do", () => {
    const path = join(dir, "corrupt.db");
    writeFileSync(path, Buffer.alloc(8192, 0x5a));
    const error = expectStoreError(() => openDatabase(path), "not_a_database", path, /not a usable pinwheel-cli database/);
    // The CLI says what to do in its own flag, and that is failed work (exit 1), not a usage mistake.
    expect(wordError(error)).toEqual({ message: `${error.message}; move it aside or pass --db <path>`, exitCode: 1 });
  });

  it("names a database locked by another process instead of hanging", () => {
    const path = join(dir, "locked.db");
    const holder = new Database(path);
    holder.exec("BEGIN EXCLUSIVE; CREATE TABLE t (x);");
    try {
      expectStoreError(() => openDatabase(path, { busyTimeoutMs: 50 }), "locked", path, /locked by another process/);
    } finally {
      holder.exec("ROLLBACK");
      holder.close();
    }
  });

  it("says a path given to read from has no database, without creating one", () => {
    const path = join(dir, "absent.db");
    expectStoreError(() => openDatabase(path, { mustExist: true }), "missing", path, /^no event database at .*absent\.db; check the path/);
  });

  it("names a path it cannot write", () => {
    const blocker = join(dir, "file");
    writeFileSync(blocker, "");
    const path = join(blocker, "events.db");
    expectStoreError(() => openDatabase(path), "cannot_open", path, /events\.db/);
  });

  it("names a directory given as the database", () => {
    expectStoreError(() => openDatabase(dir), "cannot_open", dir, /^cannot open the event database at .*: EISDIR/);
  });

  it("is the store's own failure, not the driver's, whatever its path spells (simulate would send unrecorded)", () => {
    // The messages of a failing file name its path: better_sqlite3.node there is no missing addon.
    for (const name of ["better_sqlite3.node", "NODE_MODULE_VERSION", "Could not locate the bindings file"]) {
      const path = join(dir, name);
      mkdirSync(path);
      const error = expectStoreError(() => openDatabase(path), "cannot_open", path, /: EISDIR/);
      expect(error.addon).toBeUndefined();
      const blocked = join(dir, `${name}.file`);
      writeFileSync(blocked, "");
      expectStoreError(() => openDatabase(join(blocked, "events.db")), "cannot_open", join(blocked, "events.db"), /ENOTDIR/);
    }
  });

  // Node's recursive mkdirSync never returned here, and no signal could end it.
  it.runIf(existsSync("/proc/self"))("names a path under /proc instead of spinning forever", () => {
    const path = "/proc/self/pinwheel-missing/events.db";
    expectStoreError(() => openDatabase(path), "cannot_open", path, /events\.db/);
  });
});

describe("a SQLite driver that cannot load", () => {
  function driverError(nativeBinding: string): unknown {
    try {
      new Database(":memory:", { nativeBinding }).close();
    } catch (error) {
      return error;
    }
    throw new Error("the driver loaded");
  }

  it("an addon built for another Node says so on one line, with both NODE_MODULE_VERSIONs, and how to rebuild it", () => {
    // Node's own words when a .node file was compiled for another major.
    const failure = Object.assign(
      new Error(
        "The module '/app/node_modules/better-sqlite3/build/Release/better_sqlite3.node'\n" +
          "was compiled against a different Node.js version using\nNODE_MODULE_VERSION 115. This version of Node.js requires\n" +
          "NODE_MODULE_VERSION 137. Please try re-compiling or re-installing\nthe module (for instance, using `npm rebuild` or `npm install`).",
      ),
      { code: "ERR_DLOPEN_FAILED" },
    );
    const error = describeOpenFailure("/tmp/events.db", failure);
    expect(error.addon).toBe("unloadable");
    const worded = wordError(error, "npm");
    expect(worded?.message).toMatch(/no usable native addon \(The module '.*better_sqlite3\.node' was compiled against a different Node\.js version using NODE_MODULE_VERSION 115\. This version of Node\.js requires NODE_MODULE_VERSION 137\); run "npm rebuild better-sqlite3"/);
    expect(worded?.message).not.toMatch(/\n|Please try/);
    // The package manager that installed it rebuilds it its own way.
    expect(wordError(error, "pnpm")?.message).toMatch(/\); run "pnpm rebuild better-sqlite3" where pinwheel-cli is installed$/);
    expect(wordError(error, "yarn")?.message).toMatch(/\); run "yarn rebuild better-sqlite3" where pinwheel-cli is installed$/);
  });

  it("an addon no install script built (pnpm 10 and Yarn 4 skip them) says how to allow the build, in the installer's words", () => {
    // What better-sqlite3's default lookup (the bindings package) throws when there is no build/ at all.
    const failure = new Error(
      "Could not locate the bindings file. Tried:\n → /p/node_modules/.pnpm/better-sqlite3@12.11.1/node_modules/better-sqlite3/build/better_sqlite3.node\n → /p/node_modules/.pnpm/better-sqlite3@12.11.1/node_modules/better-sqlite3/build/Release/better_sqlite3.node",
    );
    const error = describeOpenFailure("/tmp/events.db", failure);
    expect(error.kind).toBe("driver_unavailable");
    expect(error.addon).toBe("not_built");
    expect(error.message).toBe("cannot open the event database at /tmp/events.db: the SQLite driver better-sqlite3 has no usable native addon (Could not locate the bindings file)");
    expect(error.message).not.toMatch(/pnpm|yarn|npm /);
    expect(wordError(error, "pnpm")).toEqual({
      message: `${error.message}; pnpm skipped its build script: run "pnpm approve-builds" where pinwheel-cli is installed and approve better-sqlite3`,
      exitCode: 1,
    });
    expect(wordError(error, "pnpm-dlx")?.message).toMatch(/; pnpm dlx skipped its build script: run "pnpm dlx --allow-build=better-sqlite3 pinwheel-cli \.\.\."$/);
    expect(wordError(error, "yarn")?.message).toMatch(/; Yarn skipped its build script: add "dependenciesMeta": \{"better-sqlite3": \{"built": true\}\} to package\.json where pinwheel-cli is installed, then run "yarn install"$/);
    expect(wordError(error, "bun")?.message).toMatch(/; bun skipped its build script: run "bun pm trust better-sqlite3" where pinwheel-cli is installed$/);
    expect(wordError(error, "npm")?.message).toMatch(/; run "npm rebuild better-sqlite3" where pinwheel-cli is installed \(npm 12 first needs "npm install-scripts approve better-sqlite3"\)$/);
    for (const installer of ["npm", "pnpm", "pnpm-dlx", "yarn", "bun"] as const) expect(wordError(error, installer)?.message).not.toMatch(/\n/);
  });

  it("an addon npm never built, or one built for another Node, says how to rebuild it", () => {
    const dir = mkdtempSync(join(tmpdir(), "pinwheel-driver-"));
    try {
      const notAnAddon = join(dir, "better_sqlite3.node");
      writeFileSync(notAnAddon, "not a shared object");
      const failures = [
        { failure: driverError(join(dir, "missing", "better_sqlite3.node")), addon: "not_built" },
        { failure: driverError(notAnAddon), addon: "unloadable" },
      ];
      for (const { failure, addon } of failures) {
        const error = describeOpenFailure("/tmp/events.db", failure);
        expect(error.kind).toBe("driver_unavailable");
        expect(error.addon).toBe(addon);
        expect(error.message).not.toMatch(/--|npm/);
        const worded = wordError(error, "npm");
        expect(worded?.exitCode).toBe(1);
        expect(worded?.message).toMatch(/better-sqlite3 has no usable native addon .*; run "npm rebuild better-sqlite3"/);
        expect(worded?.message).not.toMatch(/\n/);
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
