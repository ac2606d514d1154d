import { mkdtempSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import Database from "better-sqlite3";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { CliError } from "../../src/errors.js";
import { openDatabase } from "../../src/store/database.js";
import { MIGRATIONS, SCHEMA_VERSION } from "../../src/store/migrations.js";
import { requestStore } from "../../src/store/requests.js";

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), "pinwheel-db-"));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

function expectCliError(run: () => unknown, pattern: RegExp): void {
  let caught: unknown;
  try {
    run();
  } catch (error) {
    caught = error;
  }
  expect(caught).toBeInstanceOf(CliError);
  expect((caught as CliError).message).toMatch(pattern);
  expect((caught as CliError).message).not.toMatch(/\n/);
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
    const old = new Database(path);
    old.exec(MIGRATIONS[0]!);
    old.pragma("user_version = 1");
    old.prepare(
      `INSERT INTO requests (received_at, method, path, headers, body, body_size, event, event_id, verification, status_code)
       VALUES ('2026-01-01T00:00:00.000Z', 'POST', '/', '[]', x'7b7d', 2, 'income.added', 'old-event', 'verified', 200)`,
    ).run();
    old.close();

    const db = openDatabase(path);
    expect(db.pragma("user_version", { simple: true })).toBe(SCHEMA_VERSION);
    expect(requestStore(db).find("old-event")?.event).toBe("income.added");
    db.close();
  });

  it("refuses a database from a newer version with one line saying to upgrade", () => {
    const path = join(dir, "new.db");
    const newer = new Database(path);
    newer.pragma(`user_version = ${SCHEMA_VERSION + 1}`);
    newer.close();
    expectCliError(() => openDatabase(path), /newer than this pinwheel-cli.*upgrade/);
  });

  it("names a corrupt file and what to do", () => {
    const path = join(dir, "corrupt.db");
    writeFileSync(path, Buffer.alloc(8192, 0x5a));
    expectCliError(() => openDatabase(path), /not a usable pinwheel-cli database.*--db/);
  });

  it("names a database locked by another process instead of hanging", () => {
    const path = join(dir, "locked.db");
    const holder = new Database(path);
    holder.exec("BEGIN EXCLUSIVE; CREATE TABLE t (x);");
    try {
      expectCliError(() => openDatabase(path, { busyTimeoutMs: 50 }), /locked by another process/);
    } finally {
      holder.exec("ROLLBACK");
      holder.close();
    }
  });

  it("names a path it cannot write", () => {
    const blocker = join(dir, "file");
    writeFileSync(blocker, "");
    expectCliError(() => openDatabase(join(blocker, "events.db")), /events\.db/);
  });
});
