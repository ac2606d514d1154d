import { listAll } from "../../api/list-all.js";
import { createOutput } from "../../output/index.js";
import type { WebhookHealth } from "../../registry/health.js";
import { printWebhookTable, webhookJson } from "../../output/webhooks.js";
import { otherSecretsNote } from "../../output/other-secrets.js";
import { resolveTarget, type TargetOptions } from "../../registry/target.js";
import { withApi } from "../../cli/webhooks-api.js";

export interface WebhooksListOptions extends TargetOptions {
  limit?: number;
  pageSize: number;
}

export async function run(options: WebhooksListOptions): Promise<void> {
  const out = createOutput({ json: options.json });
  const target = resolveTarget(options);
  const { webhooks, health, otherSecrets } = await withApi(out, target, options.timeout, async ({ api, local }) => {
    const all = await listAll(api, { limit: options.limit, pageSize: options.pageSize });
    // Delivery health is the local registry's own knowledge; Pinwheel's API does not expose it.
    const known = local ? new Map<string, WebhookHealth>(local.listWithHealth().map((row) => [row.webhook.id, row.health])) : undefined;
    return { webhooks: all, health: known, otherSecrets: all.length === 0 && local ? local.otherSecretsWebhooks() : 0 };
  });
  if (out.json) return out.data(webhooks.map((webhook) => webhookJson(webhook, health?.get(webhook.id))));
  if (webhooks.length === 0) {
    const forSecret = target.kind === "local" ? " for this API secret" : "";
    out.notice(`No webhooks${forSecret} in ${target.label}${otherSecretsNote(otherSecrets)}; create one with "pinwheel-cli webhooks create --url <url> --events <a,b>".`);
    return;
  }
  out.notice(`${webhooks.length} webhook${webhooks.length === 1 ? "" : "s"} in ${target.label}:`);
  printWebhookTable(out, webhooks, health);
}
