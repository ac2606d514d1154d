import { usageError } from "../../errors.js";
import { createOutput } from "../../output/index.js";
import { validateUpdateBody } from "../../registry/validate.js";
import { printWebhook, webhookJson } from "../../output/webhooks.js";
import { usableOrUsageError, webhookIdOrUsageError } from "../../cli/webhook-input.js";
import { resolveTarget, type TargetOptions } from "../../registry/target.js";
import { withApi } from "../../cli/webhooks-api.js";
import { refuseWildcardEvents } from "../../cli/event-wildcard.js";

export interface WebhooksUpdateOptions extends TargetOptions {
  url?: string;
  events?: string[];
  status?: string;
}

export async function run(idArg: string, options: WebhooksUpdateOptions): Promise<void> {
  const out = createOutput({ json: options.json });
  const id = webhookIdOrUsageError(idArg);
  refuseWildcardEvents(options.events);
  const target = resolveTarget(options);
  const body: Record<string, unknown> = {};
  if (options.url !== undefined) body.url = options.url;
  if (options.status !== undefined) body.status = options.status;
  if (options.events !== undefined) body.enabled_events = options.events;
  if (Object.keys(body).length === 0) throw usageError("nothing to change: pass --url, --events and/or --status");
  const valid = usableOrUsageError(validateUpdateBody(body, { allowLoopbackHttp: target.allowLoopbackHttp }), body);

  const webhook = await withApi(out, target, options.timeout, ({ api }) => api.update(id, valid), { namesWebhook: true });
  if (out.json) return out.data(webhookJson(webhook));
  out.notice(`Updated in ${target.label}:`);
  printWebhook(out, webhook);
}
