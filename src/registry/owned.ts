import type { Db } from "../store/database.js";

/** Where a set of webhooks lives: one API (a base URL, or "local") and one API key (its fingerprint). */
export interface OwnedScope {
  api: string;
  apiKey: string;
}

/**
 * The webhooks `listen --register` created, remembered on this machine: Pinwheel keeps no note
 * of who made a webhook, and listen must never delete one it did not make.
 */
export interface OwnedWebhooks {
  ids(): Set<string>;
  add(id: string, url: string, createdAt: string): void;
  remove(id: string): void;
}

export function ownedWebhooks(db: Db, scope: OwnedScope): OwnedWebhooks {
  const statements = {
    ids: db.prepare(`SELECT webhook_id FROM listen_webhooks WHERE api = ? AND api_key = ?`).pluck(),
    add: db.prepare(`INSERT OR REPLACE INTO listen_webhooks (api, api_key, webhook_id, url, created_at) VALUES (?, ?, ?, ?, ?)`),
    remove: db.prepare(`DELETE FROM listen_webhooks WHERE api = ? AND api_key = ? AND webhook_id = ?`),
  };
  return {
    ids() {
      return new Set(statements.ids.all(scope.api, scope.apiKey) as string[]);
    },
    add(id, url, createdAt) {
      statements.add.run(scope.api, scope.apiKey, id, url, createdAt);
    },
    remove(id) {
      statements.remove.run(scope.api, scope.apiKey, id);
    },
  };
}
