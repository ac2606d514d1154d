import { DEFAULT_PAGE_SIZE } from "./environments.js";
import type { Webhook, WebhooksApi } from "./types.js";

export interface ListAllOptions {
  /** Stop after this many webhooks (default: all of them). */
  limit?: number;
  /** How many to ask for per request. */
  pageSize?: number;
  onPage?(page: number, count: number): void;
}

/** Follows meta.next_cursor until the end or the limit; a cursor seen twice ends it rather than looping. */
export async function listAll(api: WebhooksApi, options: ListAllOptions = {}): Promise<Webhook[]> {
  const pageSize = options.pageSize ?? DEFAULT_PAGE_SIZE;
  const limit = options.limit ?? Number.POSITIVE_INFINITY;
  const webhooks: Webhook[] = [];
  const seen = new Set<string>();
  let cursor: string | undefined;
  for (let page = 1; webhooks.length < limit; page++) {
    const result = await api.list({ limit: Math.min(pageSize, limit - webhooks.length), cursor });
    webhooks.push(...result.data.slice(0, limit - webhooks.length));
    options.onPage?.(page, result.data.length);
    const next = result.meta.next_cursor;
    if (!next || seen.has(next) || result.data.length === 0) break;
    seen.add(next);
    cursor = next;
  }
  return webhooks;
}
