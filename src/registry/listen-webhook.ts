import { MAX_WEBHOOKS_PER_KEY, type PinwheelVersion } from "../api/environments.js";
import { isPinwheelApiError } from "../api/errors.js";
import { listAll } from "../api/list-all.js";
import type { Webhook, WebhooksApi } from "../api/types.js";
import type { OwnedWebhooks } from "./owned.js";

/**
 * The webhook behind `listen --register`: one per listener, pointing at its public URL. What it
 * creates is recorded as its own; only those are ever deleted, at start when they point elsewhere
 * (an old tunnel URL) and at exit, so leftovers never fill the workspace's ten webhooks.
 */

export interface ListenWebhookDeps {
  api: WebhooksApi;
  owned: OwnedWebhooks;
  clock?: () => number;
}

export interface ClaimRequest {
  url: string;
  events: readonly string[];
  version: PinwheelVersion;
}

export interface Claim {
  webhook: Webhook;
  action: "created" | "reused";
  /** Created by listen (now or on an earlier run), so it is listen's to delete. */
  owned: boolean;
  /** An own webhook found paused and set back to active. */
  reactivated: boolean;
  /** listen's own webhooks for other URLs (or other events), deleted before registering. */
  deleted: Webhook[];
}

/** Every webhook slot is taken and none of the webhooks is listen's own to free. */
export class WebhookQuotaFullError extends Error {
  readonly webhooks: Webhook[];
  readonly max: number;

  constructor(webhooks: Webhook[], max: number) {
    super(`the API key already has ${webhooks.length} webhooks, the most it may have (${max})`);
    this.name = "WebhookQuotaFullError";
    this.webhooks = webhooks;
    this.max = max;
  }
}

function sameEvents(a: readonly string[], b: readonly string[]): boolean {
  const wanted = new Set(b);
  return new Set(a).size === wanted.size && a.every((name) => wanted.has(name));
}

function isNotFound(error: unknown): boolean {
  return isPinwheelApiError(error) && (error.statusCode === 404 || error.body.type === "RECORD_NOT_FOUND");
}

/** Deletes a webhook; one already gone counts as deleted. */
async function deleteIfPresent(api: WebhooksApi, id: string): Promise<void> {
  try {
    await api.delete(id);
  } catch (error) {
    if (!isNotFound(error)) throw error;
  }
}

export async function claimWebhook(deps: ListenWebhookDeps, request: ClaimRequest): Promise<Claim> {
  const { api, owned } = deps;
  const clock = deps.clock ?? Date.now;
  const existing = await listAll(api);
  const ownIds = owned.ids();
  const present = new Set(existing.map((webhook) => webhook.id));
  // Records of webhooks deleted some other way (the dashboard, `webhooks delete`) are forgotten.
  for (const id of ownIds) if (!present.has(id)) owned.remove(id);

  const fits = (webhook: Webhook) => webhook.url === request.url && sameEvents(webhook.enabled_events, request.events);
  const isOwn = (webhook: Webhook) => ownIds.has(webhook.id);
  // listen's own match first: reusing someone else's would leave listen's own as a duplicate.
  const match = existing.find((webhook) => isOwn(webhook) && fits(webhook)) ?? existing.find(fits);

  const stale = existing.filter((webhook) => isOwn(webhook) && webhook !== match);
  const deleted: Webhook[] = [];
  for (const webhook of stale) {
    await deleteIfPresent(api, webhook.id);
    owned.remove(webhook.id);
    deleted.push(webhook);
  }

  if (match) {
    const own = isOwn(match);
    // A paused webhook receives nothing; listen turns its own back on, and leaves others' alone.
    if (own && match.status === "paused") {
      const webhook = await api.update(match.id, { status: "active" });
      return { webhook, action: "reused", owned: true, reactivated: true, deleted };
    }
    return { webhook: match, action: "reused", owned: own, reactivated: false, deleted };
  }

  const remaining = existing.filter((webhook) => !stale.includes(webhook));
  if (remaining.length >= MAX_WEBHOOKS_PER_KEY) throw new WebhookQuotaFullError(remaining, MAX_WEBHOOKS_PER_KEY);
  const webhook = await api.create({ url: request.url, status: "active", enabled_events: [...request.events], version: request.version });
  owned.add(webhook.id, webhook.url, new Date(clock()).toISOString());
  return { webhook, action: "created", owned: true, reactivated: false, deleted };
}

/** Undoes a claim at exit: deletes the webhook if it is listen's own; someone else's is left as it was. */
export async function releaseWebhook(deps: ListenWebhookDeps, claim: Claim): Promise<"deleted" | "not_owned"> {
  if (!claim.owned) return "not_owned";
  await deleteIfPresent(deps.api, claim.webhook.id);
  deps.owned.remove(claim.webhook.id);
  return "deleted";
}
