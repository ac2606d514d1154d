/**
 * A store damaged past its first page opens and migrates, then fails in the middle of a command
 * (a disk that lost a write, a copy taken while listen wrote). It is failed work with one line
 * saying the database is damaged, as a file that is not a database at all is, not an "unexpected failure".
 */
import { openSync, closeSync, statSync, writeSync } from "node:fs";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { openDatabase } from "../../src/store/database.js";
import { tempHome, type TempHome } from "../helpers/cli.js";
import { runInProcess } from "../helpers/in-process.js";
import { expectExit, expectOneLineError } from "../helpers/delivery-cli.js";

let home: TempHome | undefined;
afterEach(() => {
  home?.cleanup();
  home = undefined;
});

/** A store whose attempt log fills its last pages, with those pages overwritten. */
function damagedStore(path: string): void {
  const db = openDatabase(path);
  const insert = db.prepare(
    "INSERT INTO deliveries (delivery_id, source, url, attempt, started_at, duration_ms, response_body) VALUES (?, 'simulate', 'http://127.0.0.1:9/', 1, '2026-12-02T00:00:00Z', 1, ?)",
  );
  db.transaction(() => {
    for (let i = 0; i < 2000; i++) insert.run(`d${i}`, "x".repeat(200));
  })();
  db.pragma("wal_checkpoint(TRUNCATE)");
  db.close();
  const size = statSync(path).size;
  const fd = openSync(path, "r+");
  writeSync(fd, Buffer.alloc(64 * 1024, 0xa5), 0, 64 * 1024, size - 96 * 1024);
  closeSync(fd);
}

describe("a store damaged past its first page", () => {
  it("fails a command that reads the damage with one line saying the store is damaged, exit 1", async () => {
    home = tempHome();
    const path = join(home.home, "damaged.db");
    damagedStore(path);
    const result = await runInProcess(["deliveries", "list", "--db", path, "--limit", "5000"], { env: home.env });
    expectExit(result, 1);
    expect(expectOneLineError(result.stderr)).toMatch(/^error: the event database is damaged \(.+\); move it aside or pass --db <path>$/);
  });
});
