import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach } from "vitest";
import { openDatabase, type Db } from "../../src/store/database.js";

/** Opens event databases in fresh temp folders; each is closed and removed after its test. */
export function tempDatabases(prefix: string): () => Db {
  const opened: { dir: string; db: Db }[] = [];
  afterEach(() => {
    for (const { dir, db } of opened.splice(0)) {
      db.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
  return () => {
    const dir = mkdtempSync(join(tmpdir(), prefix));
    const db = openDatabase(join(dir, "events.db"));
    opened.push({ dir, db });
    return db;
  };
}
