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

/**
 * Steady writes for at least `ms` and at least `minBytes`, yielding between transactions; returns
 * the WAL's size after each and the bytes written. A byte count, not a rate: a loaded machine
 * writes more slowly, and then simply for longer.
 */
async function steadyWrites(
  database: Db,
  path: string,
  ms: number,
  pauseMs = 5,
  minBytes = 0,
): Promise<{ largest: number; sizes: number[]; written: number }> {
  const insert = database.prepare("INSERT INTO deliveries (delivery_id, source, url, attempt, started_at, duration_ms, response_body) VALUES (?, 'simulate', 'http://x', 1, 'now', 1, ?)");
  const filler = "x".repeat(2000);
  const deadline = Date.now() + ms;
  const sizes: number[] = [];
  let written = 0;
  while (Date.now() < deadline || written < minBytes) {
    database.transaction(() => {
      for (let i = 0; i < 50; i++) insert.run(`d${i}`, filler);
    })();
    written += 50 * filler.length;
    sizes.push(walBytes(path));
    await new Promise((resolve) => (pauseMs > 0 ? setTimeout(resolve, pauseMs) : setImmediate(resolve)));
  }
  return { largest: Math.max(...sizes), sizes, written };
}

describe("the WAL checkpointer", () => {
  it("takes checkpoints off the writer and truncates the WAL past its limit", async () => {
    dir = mkdtempSync(join(tmpdir(), "pinwheel-wal-"));
    const path = join(dir, "events.db");
    db = openDatabase(path);
    const checkpointer = startCheckpointer(db, path, 50, 256 * 1024);
    expect(db.pragma("wal_autocheckpoint", { simple: true })).toBe(0);
    const { largest, sizes } = await steadyWrites(db, path, 3000);
    await checkpointer.stop();
    // Without checkpoints the WAL would hold every frame written (tens of MiB by now).
    expect(largest).toBeLessThan(8 * 1024 * 1024);
    // A restart reuses the file but never shrinks it; only the truncation brings it back under the limit mid-run.
    const lastSecond = sizes.slice(-Math.floor(sizes.length / 3));
    expect(Math.min(...lastSecond)).toBeLessThan(256 * 1024);
    expect(walBytes(path)).toBe(0);
  }, 15_000);

  it("restarts the WAL under steady writes, so commits reuse its blocks instead of growing the file", async () => {
    dir = mkdtempSync(join(tmpdir(), "pinwheel-wal-"));
    const path = join(dir, "events.db");
    db = openDatabase(path);
    // A limit never reached: only the restarts keep the file small.
    const checkpointer = startCheckpointer(db, path, 50, 1024 * 1024 * 1024);
    // Back-to-back transactions, as under load: a passive checkpoint never catches up with them.
    const { largest, written } = await steadyWrites(db, path, 3000, 0, 20 * 1024 * 1024);
    await checkpointer.stop();
    // Without the restarts (PASSIVE alone) the WAL reaches about 2.5x what was written; with them it stays
    // well under 1x, though on a loaded machine fewer restarts get their turn (0.77x seen in a full test run).
    expect(largest).toBeLessThan(written * 1.25);
  }, 60_000);
});
