/**
 * The store's file locks as another process sees them. SQLite marks a connection in WAL mode with
 * a shared lock on the database file: a client of another process that can take it exclusively
 * (the sqlite3 shell, Python, a database browser, as they close) takes itself for the last one
 * and deletes the -wal and -shm files, and the process still writing goes on committing into a
 * log nobody else reads, and that a crash loses. POSIX drops every lock a process holds on a file
 * when it closes any descriptor of that file, so opening a second connection must not touch it.
 */
import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { openDatabase, type Db } from "../../src/store/database.js";
import { requestStore } from "../../src/store/requests.js";
import { storedRow } from "../helpers/stored-requests.js";
import { REPO_ROOT } from "../helpers/cli.js";

/** Another process tries to take the store exclusively (as SQLite does before deleting the WAL on close). */
const TAKE_EXCLUSIVELY = `
const Database = require("better-sqlite3");
const db = new Database(process.argv[1]);
db.pragma("busy_timeout = 0");
db.pragma("locking_mode = EXCLUSIVE");
try {
  db.exec("BEGIN EXCLUSIVE");
  db.exec("ROLLBACK");
  process.stdout.write("taken");
} catch (error) {
  process.stdout.write(String(error.code));
}
db.close();
`;

function takeFromAnotherProcess(path: string): string {
  const child = spawnSync(process.execPath, ["-e", TAKE_EXCLUSIVELY, path], { cwd: REPO_ROOT, encoding: "utf8", timeout: 15_000 });
  expect(child.stderr).toBe("");
  return child.stdout;
}

const opened: Db[] = [];
const dirs: string[] = [];
afterEach(() => {
  for (const db of opened.splice(0)) db.close();
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

function tempPath(): string {
  const dir = mkdtempSync(join(tmpdir(), "pinwheel-db-locks-"));
  dirs.push(dir);
  return join(dir, "events.db");
}

function open(path: string): Db {
  const db = openDatabase(path);
  opened.push(db);
  return db;
}

describe("an open store, seen from another process", () => {
  it("cannot be taken exclusively while open, also after this process opened a second connection to it (listen opens several)", () => {
    const path = tempPath();
    const first = open(path);
    requestStore(first).insert(storedRow("evt-locks-1"));
    expect(takeFromAnotherProcess(path)).toBe("SQLITE_BUSY");

    // listen's commit connection beside its main one, the checkpointer's, a recorder's...
    open(path);
    expect(takeFromAnotherProcess(path)).toBe("SQLITE_BUSY");
    // The write-ahead log is still there, where every other reader looks for what was committed.
    expect(existsSync(`${path}-wal`)).toBe(true);
    requestStore(first).insert(storedRow("evt-locks-2"));
    expect(takeFromAnotherProcess(path)).toBe("SQLITE_BUSY");
  });
});
