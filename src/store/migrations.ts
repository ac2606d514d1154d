import type { Database } from "better-sqlite3";
import { defined } from "../invariant.js";
import { StoreError } from "./store-error.js";
import { VERSION } from "../version.js";

/**
 * Versioned schema: migration N brings a database from user_version N-1 to N.
 * Append only; never edit a migration that has shipped.
 */
export const MIGRATIONS: readonly string[] = [
  // 1: received requests, stored before they are answered, rejected ones included.
  `
  CREATE TABLE requests (
    id INTEGER PRIMARY KEY,
    received_at TEXT NOT NULL,
    method TEXT NOT NULL,
    path TEXT NOT NULL,
    headers TEXT NOT NULL,
    body BLOB NOT NULL,
    body_size INTEGER NOT NULL,
    body_truncated INTEGER NOT NULL DEFAULT 0,
    event TEXT,
    event_id TEXT,
    account_id TEXT,
    webhook_id TEXT,
    verification TEXT NOT NULL,
    verification_detail TEXT,
    schema_errors TEXT,
    rejection TEXT,
    duplicate INTEGER NOT NULL DEFAULT 0,
    status_code INTEGER NOT NULL,
    remote_address TEXT
  );
  CREATE INDEX requests_event_id ON requests (event_id);
  CREATE INDEX requests_event ON requests (event, id);
  CREATE INDEX requests_account_id ON requests (account_id, id);
  CREATE INDEX requests_verification ON requests (verification, id);
  CREATE INDEX requests_received_at ON requests (received_at);
  `,
  // 2: every attempt the delivery engine made (simulate, replay, smoke, forward).
  `
  CREATE TABLE deliveries (
    id INTEGER PRIMARY KEY,
    delivery_id TEXT NOT NULL,
    source TEXT NOT NULL,
    event TEXT,
    event_id TEXT,
    webhook_id TEXT,
    request_id INTEGER,
    url TEXT NOT NULL,
    attempt INTEGER NOT NULL,
    started_at TEXT NOT NULL,
    duration_ms REAL NOT NULL,
    status_code INTEGER,
    error TEXT,
    response_body TEXT
  );
  CREATE INDEX deliveries_event_id ON deliveries (event_id);
  CREATE INDEX deliveries_request_id ON deliveries (request_id);
  `,
  // 3: the local webhooks registry (webhooks --env local, mock, simulate's fan-out), with each
  // webhook's delivery health. api_key is a fingerprint of the API secret, never the secret.
  `
  CREATE TABLE webhooks (
    seq INTEGER PRIMARY KEY,
    id TEXT NOT NULL UNIQUE,
    api_key TEXT NOT NULL,
    url TEXT NOT NULL,
    status TEXT NOT NULL,
    enabled_events TEXT NOT NULL,
    version TEXT NOT NULL,
    created_at TEXT NOT NULL,
    last_updated TEXT NOT NULL,
    consecutive_failures INTEGER NOT NULL DEFAULT 0,
    first_failure_at TEXT,
    last_failure_at TEXT,
    last_success_at TEXT,
    auto_paused_at TEXT
  );
  CREATE INDEX webhooks_api_key ON webhooks (api_key, seq);
  `,
  // 4: the webhooks `listen --register` created, so it cleans up its own and never anyone else's.
  // api is where they live (a base URL, or "local"); api_key is a fingerprint of the secret.
  `
  CREATE TABLE listen_webhooks (
    api TEXT NOT NULL,
    api_key TEXT NOT NULL,
    webhook_id TEXT NOT NULL,
    url TEXT NOT NULL,
    created_at TEXT NOT NULL,
    PRIMARY KEY (api, api_key, webhook_id)
  );
  `,
  // 5: fewer index writes per row, for listen's commits and the senders' attempt log.
  // Verification keeps an index only for the rows that did not verify (UNVERIFIED_CONDITION in
  // requests.ts), and --since finds its first row by a binary search over ids instead of an index
  // on received_at. Attempts lose their event_id index: random UUIDs put every attempt in its own
  // leaf of it, so a batch of attempts rewrote about a page per row, more as the log grew
  // (simulate --count 10,000 onto 100,000 attempts: 6% slower with it). `deliveries list
  // --event-id` scans instead, about 0.2 s per million attempts. Only replays and forwards have a
  // request_id to index.
  `
  DROP INDEX requests_received_at;
  DROP INDEX requests_verification;
  CREATE INDEX requests_unverified ON requests (verification, id) WHERE verification <> 'verified';
  DROP INDEX deliveries_event_id;
  DROP INDEX deliveries_request_id;
  CREATE INDEX deliveries_request_id ON deliveries (request_id) WHERE request_id IS NOT NULL;
  `,
  // 6: where listen --forward-to last forwarded (replay's default target) is found in the few
  // forward attempts instead of by a scan back through every attempt: with none, a replay began by
  // reading the whole attempt log (80 ms on 400,000 attempts, more from a cold disk).
  `
  CREATE INDEX deliveries_forward ON deliveries (id) WHERE source = 'forward';
  `,
];

// Facts about the store itself: migrated_by, the pinwheel-cli that last moved it to a newer schema,
// so an older build that cannot read it can say which one to run, and the largest request id
// `events prune` deleted (DELETED_UP_TO_KEY in requests.ts). Kept beside the schema rather
// than as a migration of its own: a table older builds ignore, where a new schema version would
// lock every older build out of stores that change nothing else.
export const STORE_INFO_TABLE = "CREATE TABLE IF NOT EXISTS store_info (key TEXT PRIMARY KEY, value TEXT NOT NULL)";

export const SCHEMA_VERSION = MIGRATIONS.length;

/** Whether the store has a table (a store an older build made may lack a newer one's). */
export function hasTable(db: Database, name: string): boolean {
  return db.prepare("SELECT 1 FROM sqlite_schema WHERE type = 'table' AND name = ?").get(name) !== undefined;
}

export function currentVersion(db: Database): number {
  return db.pragma("user_version", { simple: true }) as number;
}

/**
 * Refuses a database another program made (an app's own file passed as the store by mistake)
 * before anything is written to it: WAL mode and migration 1 would change that file for good, and
 * a user_version of its own would read as a pinwheel-cli schema. A store has the requests table
 * from migration 1 on; a new one has no table at all. Returns the schema version it read, for
 * migrate().
 */
export function refuseForeignDatabase(db: Database, file: string = db.name): number {
  const tables = db.prepare("SELECT name FROM sqlite_schema WHERE type = 'table' AND name NOT LIKE 'sqlite\\_%' ESCAPE '\\' ORDER BY name").pluck().all() as string[];
  const version = currentVersion(db);
  const isStore = version === 0 ? tables.length === 0 : tables.includes("requests");
  if (isStore) return version;
  const shown = tables.length > 5 ? `${tables.slice(0, 5).join(", ")} and ${tables.length - 5} more` : tables.join(", ");
  throw new StoreError({
    kind: "not_a_database",
    file,
    detail: tables.length === 0 ? `user_version ${version} but no tables; left unchanged` : `another program's: tables ${shown}; left unchanged`,
  });
}

/** What opening did to a store's schema: from 0 for a new one, from === to for one already current. */
export interface SchemaChange {
  from: number;
  to: number;
}

/** Which pinwheel-cli last migrated the store, when one that records it did. */
export function migratedBy(db: Database): string | undefined {
  try {
    const row = db.prepare("SELECT value FROM store_info WHERE key = 'migrated_by'").pluck().get();
    return typeof row === "string" ? row : undefined;
  } catch {
    return undefined;
  }
}

export function newerSchemaError(db: Database, file: string, found: number): StoreError {
  const writer = migratedBy(db);
  return new StoreError({ kind: "newer_schema", file, version: { found, supported: SCHEMA_VERSION }, ...(writer ? { writtenBy: writer } : {}) });
}

export function migrate(db: Database, seen = currentVersion(db)): SchemaChange {
  // An up-to-date file needs no write lock, so opening it never waits on a busy writer; one an
  // older build made gets store_info once, as every insert reads it.
  if (seen === SCHEMA_VERSION) {
    if (!hasTable(db, "store_info")) db.exec(STORE_INFO_TABLE);
    return { from: seen, to: seen };
  }
  // The version is read again inside the write lock: two processes opening a new file at once
  // must not both apply migration 1.
  const apply = db.transaction(() => {
    const from = currentVersion(db);
    if (from > SCHEMA_VERSION) throw newerSchemaError(db, db.name, from);
    for (let version = from + 1; version <= SCHEMA_VERSION; version++) {
      db.exec(defined(MIGRATIONS[version - 1], `migration ${version}`));
      db.pragma(`user_version = ${version}`);
    }
    if (from < SCHEMA_VERSION) {
      db.exec(STORE_INFO_TABLE);
      db.prepare("INSERT OR REPLACE INTO store_info (key, value) VALUES ('migrated_by', ?)").run(`pinwheel-cli ${VERSION} (schema ${SCHEMA_VERSION})`);
    }
    return from;
  });
  return { from: apply.immediate(), to: SCHEMA_VERSION };
}
