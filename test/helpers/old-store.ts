import Database from "better-sqlite3";
import { MIGRATIONS } from "../../src/store/migrations.js";

/**
 * A store written by an old build: schema `version` (migrations 1..version, nothing newer, no
 * store_info), one verified income.added request with event_id "old-event", closed cleanly (no -wal, no -shm).
 */
export function oldStore(path: string, version: number): void {
  const db = new Database(path);
  db.pragma("journal_mode = WAL");
  for (let v = 1; v <= version; v++) db.exec(MIGRATIONS[v - 1]!);
  db.pragma(`user_version = ${version}`);
  db.prepare(
    `INSERT INTO requests (received_at, method, path, headers, body, body_size, event, event_id, verification, status_code)
     VALUES ('2026-01-01T00:00:00.000Z', 'POST', '/', '[]', x'7b7d', 2, 'income.added', 'old-event', 'verified', 200)`,
  ).run();
  db.close();
}
