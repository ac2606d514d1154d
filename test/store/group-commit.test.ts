import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import Database from "better-sqlite3";
import { afterEach, describe, expect, it } from "vitest";
import { openDatabase, type Db } from "../../src/store/database.js";
import { GroupCommitter } from "../../src/store/group-commit.js";

let dir: string;
let db: Db | undefined;
afterEach(() => {
  db?.close();
  rmSync(dir, { recursive: true, force: true });
});

function setup(options: { busyRetryMs?: number } = {}) {
  dir = mkdtempSync(join(tmpdir(), "pinwheel-commit-"));
  const path = join(dir, "events.db");
  db = openDatabase(path, { busyTimeoutMs: 10 });
  const insert = db.prepare("INSERT INTO deliveries (delivery_id, source, url, attempt, started_at, duration_ms) VALUES (?, 'simulate', 'u', 1, 'now', 1)");
  const committer = new GroupCommitter<string, number>(db, (id) => Number(insert.run(id).lastInsertRowid), options);
  return { path, committer };
}

describe("GroupCommitter", () => {
  it("commits what was submitted in one turn together, and answers each after the commit", async () => {
    const { committer } = setup();
    const ids = await Promise.all(["a", "b", "c"].map((id) => committer.submit(id)));
    expect(ids).toEqual([1, 2, 3]);
    expect(db!.prepare("SELECT count(*) FROM deliveries").pluck().get()).toBe(3);
  });

  it("waits out another connection's lock on a timer instead of failing the batch", async () => {
    const { path, committer } = setup();
    const holder = new Database(path);
    holder.exec("BEGIN IMMEDIATE");
    let ticks = 0;
    const ticker = setInterval(() => ticks++, 5);
    const pending = committer.submit("locked-out");
    await new Promise((resolve) => setTimeout(resolve, 200));
    holder.exec("COMMIT");
    holder.close();
    await expect(pending).resolves.toBe(1);
    clearInterval(ticker);
    // The event loop kept turning while the lock was held.
    expect(ticks).toBeGreaterThan(10);
  });

  it("gives up with the error once the lock outlasts its patience", async () => {
    const { path, committer } = setup({ busyRetryMs: 100 });
    const holder = new Database(path);
    holder.exec("BEGIN IMMEDIATE");
    try {
      await expect(committer.submit("never")).rejects.toMatchObject({ code: expect.stringMatching(/^SQLITE_BUSY/) });
    } finally {
      holder.exec("ROLLBACK");
      holder.close();
    }
  });
});
