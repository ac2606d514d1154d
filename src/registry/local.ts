import { randomUUID } from "node:crypto";
import { DEFAULT_PAGE_SIZE, MAX_WEBHOOKS_PER_KEY } from "../api/environments.js";
import { PinwheelApiError } from "../api/errors.js";
import type { CreateWebhookBody, ListParams, UpdateWebhookBody, Webhook, WebhookPage, WebhooksApi } from "../api/types.js";
import type { Db } from "../store/database.js";
import { decodeCursor, encodeCursor } from "./cursor.js";
import { invalidParameters, quotaReached, webhookNotFound } from "./errors.js";
import { afterDelivery, type HealthState } from "./health.js";
import { webhookStore, type StoredWebhook } from "./store.js";
import { validateCreateBody, validateListParams, validateUpdateBody, type Validated } from "./validate.js";

export interface LocalRegistryOptions {
  db: Db;
  /** apiKeyFingerprint(secret): webhooks and the quota belong to one API key, as at Pinwheel. */
  apiKey: string;
  clock?: () => number;
  newId?: () => string;
}

export interface Recipients {
  active: StoredWebhook[];
  paused: StoredWebhook[];
}

export interface DeliveryOutcome {
  state: HealthState;
  /** True when this failure made the pause rule set the webhook to paused. */
  pausedNow: boolean;
}

export interface LocalRegistry extends WebhooksApi {
  /** Every webhook of this key with its delivery health, in creation order. */
  listWithHealth(): StoredWebhook[];
  /** The webhooks subscribed to an event: active ones receive it, paused ones are skipped. */
  recipients(event: string): Recipients;
  /** Records a delivery's final result and applies the pause rule; undefined if the webhook is gone. */
  recordDelivery(id: string, ok: boolean, pauseAfterMs: number): DeliveryOutcome | undefined;
  /** How many webhooks in this file belong to other API secrets (kept apart, as Pinwheel keeps workspaces apart). */
  otherSecretsWebhooks(): number;
}

const SHARED_VALIDATION = { allowLoopbackHttp: true };

function valid<T>(result: Validated<T>): T {
  if (!result.ok) throw new PinwheelApiError(result.error);
  return result.value;
}

/**
 * The local stand-in for Pinwheel's webhooks API, on the event store's SQLite database. It is
 * what `--env local` talks to directly and what `pinwheel-cli mock` serves over HTTP.
 */
export function createLocalRegistry(options: LocalRegistryOptions): LocalRegistry {
  const { db } = options;
  const clock = options.clock ?? Date.now;
  const newId = options.newId ?? randomUUID;
  const store = webhookStore(db, options.apiKey);
  const now = () => new Date(clock()).toISOString();

  function existing(id: string): StoredWebhook {
    const found = store.get(id);
    if (!found) throw new PinwheelApiError(webhookNotFound(id));
    return found;
  }

  // IMMEDIATE: the count and the insert happen under one write lock, so a CLI and a running mock
  // on the same file cannot both create the tenth webhook.
  const createLocked = db.transaction((body: CreateWebhookBody): Webhook => {
    if (store.count() >= MAX_WEBHOOKS_PER_KEY) throw new PinwheelApiError(quotaReached(MAX_WEBHOOKS_PER_KEY));
    const at = now();
    const webhook: Webhook = { id: newId(), url: body.url, status: body.status, enabled_events: body.enabled_events, version: body.version, created_at: at, last_updated: at };
    store.insert(webhook);
    return webhook;
  });

  const updateLocked = db.transaction((id: string, changes: UpdateWebhookBody): Webhook => {
    const { webhook, health } = existing(id);
    const updated: Webhook = { ...webhook, ...changes, last_updated: now() };
    const reactivated = webhook.status === "paused" && updated.status === "active";
    store.update(updated, updated.status === "paused" ? health.auto_paused_at : null);
    // Turning a paused webhook back on starts a new failure streak; the old one must not re-pause it at once.
    if (reactivated) store.saveHealth(id, { ...health, status: "active", consecutive_failures: 0, first_failure_at: null, auto_paused_at: null }, updated.last_updated);
    return updated;
  });

  const recordLocked = db.transaction((id: string, ok: boolean, pauseAfterMs: number): DeliveryOutcome | undefined => {
    const found = store.get(id);
    if (!found) return undefined;
    const before: HealthState = { ...found.health, status: found.webhook.status };
    const at = clock();
    const state = afterDelivery(before, ok, at, pauseAfterMs);
    store.saveHealth(id, state, new Date(at).toISOString());
    return { state, pausedNow: before.status === "active" && state.status === "paused" };
  });

  return {
    async create(body) {
      return createLocked.immediate(valid(validateCreateBody(body, SHARED_VALIDATION)));
    },
    async list(params: ListParams = {}): Promise<WebhookPage> {
      const { limit, cursor } = valid(validateListParams(params, DEFAULT_PAGE_SIZE));
      const afterSeq = cursor === undefined ? 0 : decodeCursor(cursor);
      if (afterSeq === undefined) {
        throw new PinwheelApiError(invalidParameters([{ name: "cursor", message: "must be the meta.next_cursor of a previous page" }], "invalid_cursor"));
      }
      const { rows, more } = store.page(afterSeq, limit);
      const last = rows[rows.length - 1];
      return { data: rows.map((row) => row.webhook), meta: { count: rows.length, next_cursor: more && last ? encodeCursor(last.seq) : null } };
    },
    async get(id) {
      return existing(id).webhook;
    },
    async update(id, body) {
      return updateLocked.immediate(id, valid(validateUpdateBody(body, SHARED_VALIDATION)));
    },
    async delete(id) {
      if (!store.remove(id)) throw new PinwheelApiError(webhookNotFound(id));
    },
    listWithHealth() {
      return store.page(0, Number.MAX_SAFE_INTEGER).rows;
    },
    recipients(event) {
      const subscribed = store.subscribedTo(event);
      return {
        active: subscribed.filter((row) => row.webhook.status === "active"),
        paused: subscribed.filter((row) => row.webhook.status === "paused"),
      };
    },
    recordDelivery(id, ok, pauseAfterMs) {
      return recordLocked.immediate(id, ok, pauseAfterMs);
    },
    otherSecretsWebhooks: () => store.otherKeysCount(),
  };
}
