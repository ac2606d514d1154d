/**
 * Commands that only read open an existing store read-only and leave it at its schema: a file the
 * user cannot write (a CI artifact, a colleague's file) lists like any other, and a read never
 * migrates a store past what an older pinwheel-cli understands.
 */
import { spawnSync } from "node:child_process";
import { chmodSync, existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import Database from "better-sqlite3";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { openDatabase } from "../../src/store/database.js";
import { deliveriesOf } from "../../src/store/deliveries.js";
import { SCHEMA_VERSION } from "../../src/store/migrations.js";
import { requestStore } from "../../src/store/requests.js";
import { CLI_PATH } from "../helpers/cli.js";
import { oldStore } from "../helpers/old-store.js";

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), "pinwheel-ro-"));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));


describe("openDatabase with readOnly", () => {
  it("reads a store of schema 1 as it is: lists, shows no attempts, and is not migrated", () => {
    const path = join(dir, "old.db");
    oldStore(path, 1);
    const before = readFileSync(path);
    const db = openDatabase(path, { readOnly: true, mustExist: true });
    try {
      expect(db.readonly).toBe(true);
      const request = requestStore(db).find("old-event");
      expect(request?.event).toBe("income.added");
      expect(requestStore(db).list({ limit: 10 }).map((row) => row.eventId)).toEqual(["old-event"]);
      expect(deliveriesOf(db, request!)).toEqual([]);
    } finally {
      db.close();
    }
    expect(new Database(path, { readonly: true }).pragma("user_version", { simple: true })).toBe(1);
    expect(readFileSync(path).equals(before)).toBe(true);
  });

  it("still creates a missing default store, and migrates as before without readOnly", () => {
    const path = join(dir, "new.db");
    const db = openDatabase(path, { readOnly: true });
    expect(db.readonly).toBe(false);
    expect(db.pragma("user_version", { simple: true })).toBe(SCHEMA_VERSION);
    db.close();
  });
});

/** The built CLI, as a user who cannot write the store nor its directory (root writes anything: run as nobody then). */
function runAsReader(args: string[]) {
  const asRoot = process.getuid?.() === 0;
  return spawnSync(process.execPath, [CLI_PATH, ...args], {
    env: { PATH: process.env.PATH ?? "", PINWHEEL_HOME: dir, NO_COLOR: "1", CI: "true" },
    encoding: "utf8",
    timeout: 20_000,
    ...(asRoot ? { uid: 65534, gid: 65534 } : {}),
  });
}

/**
 * Whether that user can run this Node and the built CLI at all: as root the test runs them as
 * nobody, who cannot reach a Node kept in a private folder (CI's Node 24 and 22 live in one).
 */
const readerCanRunTheCli = (() => {
  const probe = spawnSync(process.execPath, [CLI_PATH, "--version"], {
    encoding: "utf8",
    timeout: 20_000,
    ...(process.getuid?.() === 0 ? { uid: 65534, gid: 65534 } : {}),
  });
  return probe.status === 0;
})();

describe("read commands on a store this user cannot write", () => {
  it.skipIf(!readerCanRunTheCli)("events list, events show, deliveries list and verify <id> read it; nothing is written beside it", () => {
    const path = join(dir, "ro.db");
    oldStore(path, 2);
    chmodSync(path, 0o444);
    chmodSync(dir, 0o555);
    try {
      const list = runAsReader(["events", "list", "--db", path, "--json"]);
      expect(list.stderr).toBe("");
      expect(list.status).toBe(0);
      expect((JSON.parse(list.stdout) as { event_id: string }[]).map((row) => row.event_id)).toEqual(["old-event"]);
      const show = runAsReader(["events", "show", "old-event", "--db", path, "--json"]);
      expect(show.stderr).toBe("");
      expect(show.status).toBe(0);
      const deliveries = runAsReader(["deliveries", "list", "--db", path, "--json"]);
      expect([deliveries.status, deliveries.stdout.trim()]).toEqual([0, "[]"]);
      // verify <id> reads the stored request; with no secret it fails as it would on any store, not on the file.
      const counted = runAsReader(["events", "prune", "--all", "--dry-run", "--json", "--db", path]);
      expect(counted.status).toBe(0);
      expect(JSON.parse(counted.stdout)).toEqual({ deleted: 1, deleted_attempts: 0, dry_run: true });
      const verify = runAsReader(["verify", "old-event", "--db", path]);
      expect(verify.stderr).not.toMatch(/cannot write|event database/);
      expect(existsSync(`${path}-shm`)).toBe(false);
      expect(existsSync(`${path}-wal`)).toBe(false);
    } finally {
      chmodSync(dir, 0o755);
    }
  });
});
