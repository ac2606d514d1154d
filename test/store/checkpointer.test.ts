import { mkdtempSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { startCheckpointer } from "../../src/store/checkpointer.js";
import { openDatabase, type Db } from "../../src/store/database.js";

let dir: string;
let db: Db | undefined;
afterEach(() => {
  db?.close();
  rmSync(dir, { recursive: true, force: true });
});

const walBytes = (path: string) => statSync(`${path}-wal`).size;

describe("the WAL checkpointer", () => {
  it("takes checkpoints off the writer and keeps the WAL bounded under steady writes", async () => {
    dir = mkdtempSync(join(tmpdir(), "pinwheel-wal-"));
    const path = join(dir, "events.db");
    db = openDatabase(path);
    const checkpointer = startCheckpointer(db, path, 50, 256 * 1024);
    expect(db.pragma("wal_autocheckpoint", { simple: true })).toBe(0);
    const insert = db.prepare("INSERT INTO deliveries (delivery_id, source, url, attempt, started_at, duration_ms, response_body) VALUES (?, 'simulate', 'http://x', 1, 'now', 1, ?)");
    const filler = "x".repeat(2000);
    const deadline = Date.now() + 3000;
    let largest = 0;
    // Steady writes for a while, yielding so the worker gets its turns.
    while (Date.now() < deadline) {
      db.transaction(() => {
        for (let i = 0; i < 50; i++) insert.run(`d${i}`, filler);
      })();
      largest = Math.max(largest, walBytes(path));
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
    await checkpointer.stop();
    // Without the truncation the WAL would hold every frame written (several MiB by now).
    expect(largest).toBeLessThan(8 * 1024 * 1024);
    expect(walBytes(path)).toBe(0);
  }, 15_000);
});
