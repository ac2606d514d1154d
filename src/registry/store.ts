import type { PinwheelVersion, WebhookStatus } from "../api/environments.js";
import type { Webhook } from "../api/types.js";
import type { Db } from "../store/database.js";
import type { HealthState, WebhookHealth } from "./health.js";

export interface StoredWebhook {
  seq: number;
  webhook: Webhook;
  health: WebhookHealth;
}

interface WebhookRow {
  seq: number;
  id: string;
  api_key: string;
  url: string;
  status: WebhookStatus;
  enabled_events: string;
  version: PinwheelVersion;
  created_at: string;
  last_updated: string;
  consecutive_failures: number;
  first_failure_at: string | null;
  last_failure_at: string | null;
  last_success_at: string | null;
  auto_paused_at: string | null;
}

function fromRow(row: WebhookRow): StoredWebhook {
  return {
    seq: row.seq,
    webhook: {
      id: row.id,
      url: row.url,
      status: row.status,
      enabled_events: JSON.parse(row.enabled_events) as string[],
      version: row.version,
      created_at: row.created_at,
      last_updated: row.last_updated,
    },
    health: {
      consecutive_failures: row.consecutive_failures,
      first_failure_at: row.first_failure_at,
      last_failure_at: row.last_failure_at,
      last_success_at: row.last_success_at,
      auto_paused_at: row.auto_paused_at,
    },
  };
}

/** SQL for the webhooks table; every query is scoped to one API key. */
export function webhookStore(db: Db, apiKey: string) {
  const statements = {
    insert: db.prepare(`
      INSERT INTO webhooks (id, api_key, url, status, enabled_events, version, created_at, last_updated)
      VALUES (@id, @apiKey, @url, @status, @events, @version, @createdAt, @createdAt)`),
    count: db.prepare(`SELECT count(*) AS n FROM webhooks WHERE api_key = ?`).pluck(),
    page: db.prepare(`SELECT * FROM webhooks WHERE api_key = ? AND seq > ? ORDER BY seq LIMIT ?`),
    byId: db.prepare(`SELECT * FROM webhooks WHERE api_key = ? AND id = ?`),
    update: db.prepare(`
      UPDATE webhooks SET url = @url, status = @status, enabled_events = @events, last_updated = @lastUpdated,
        auto_paused_at = @autoPausedAt
      WHERE api_key = @apiKey AND id = @id`),
    remove: db.prepare(`DELETE FROM webhooks WHERE api_key = ? AND id = ?`),
    health: db.prepare(`
      UPDATE webhooks SET status = @status, consecutive_failures = @consecutive_failures, first_failure_at = @first_failure_at,
        last_failure_at = @last_failure_at, last_success_at = @last_success_at, auto_paused_at = @auto_paused_at,
        last_updated = CASE WHEN status = @status THEN last_updated ELSE @now END
      WHERE api_key = @apiKey AND id = @id`),
    subscribed: db.prepare(`
      SELECT * FROM webhooks
      WHERE api_key = ? AND EXISTS (SELECT 1 FROM json_each(webhooks.enabled_events) WHERE json_each.value = ?)
      ORDER BY seq`),
  };

  return {
    insert(webhook: Webhook): void {
      statements.insert.run({
        id: webhook.id,
        apiKey,
        url: webhook.url,
        status: webhook.status,
        events: JSON.stringify(webhook.enabled_events),
        version: webhook.version,
        createdAt: webhook.created_at,
      });
    },
    count(): number {
      return statements.count.get(apiKey) as number;
    },
    /** Webhooks of other API keys in the same file: prepared when asked, as only a "none here" message asks. */
    otherKeysCount(): number {
      return db.prepare(`SELECT count(*) FROM webhooks WHERE api_key <> ?`).pluck().get(apiKey) as number;
    },
    /** Up to `limit` webhooks created after `afterSeq`, and whether more follow. */
    page(afterSeq: number, limit: number): { rows: StoredWebhook[]; more: boolean } {
      const rows = (statements.page.all(apiKey, afterSeq, limit + 1) as WebhookRow[]).map(fromRow);
      return { rows: rows.slice(0, limit), more: rows.length > limit };
    },
    get(id: string): StoredWebhook | undefined {
      const row = statements.byId.get(apiKey, id) as WebhookRow | undefined;
      return row && fromRow(row);
    },
    update(webhook: Webhook, autoPausedAt: string | null): void {
      statements.update.run({
        apiKey,
        id: webhook.id,
        url: webhook.url,
        status: webhook.status,
        events: JSON.stringify(webhook.enabled_events),
        lastUpdated: webhook.last_updated,
        autoPausedAt,
      });
    },
    remove(id: string): boolean {
      return statements.remove.run(apiKey, id).changes > 0;
    },
    saveHealth(id: string, state: HealthState, now: string): void {
      statements.health.run({ apiKey, id, now, ...state });
    },
    subscribedTo(event: string): StoredWebhook[] {
      return (statements.subscribed.all(apiKey, event) as WebhookRow[]).map(fromRow);
    },
  };
}

export type WebhookStore = ReturnType<typeof webhookStore>;
