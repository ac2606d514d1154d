import { createOutput } from "../../output/index.js";
import { printWebhook, webhookJson } from "../../output/webhooks.js";
import { webhookIdOrUsageError } from "../../cli/webhook-input.js";
import { resolveTarget, type TargetOptions } from "../../registry/target.js";
import { withApi } from "../../cli/webhooks-api.js";

export async function run(idArg: string, options: TargetOptions): Promise<void> {
  const out = createOutput({ json: options.json });
  const id = webhookIdOrUsageError(idArg);
  const target = resolveTarget(options);
  const { webhook, health } = await withApi(out, target, options.timeout, async ({ api, local }) => {
    const found = await api.get(id);
    return { webhook: found, health: local?.listWithHealth().find((row) => row.webhook.id === id)?.health };
  }, { namesWebhook: true });
  if (out.json) return out.data(webhookJson(webhook, health));
  printWebhook(out, webhook, health);
}
