import { NEWEST_VERSION } from "../../api/environments.js";
import { createOutput } from "../../output/index.js";
import { promptEvents, promptText } from "../../output/prompts.js";
import { validateCreateBody } from "../../registry/validate.js";
import { printWebhook, webhookJson } from "../../output/webhooks.js";
import { eventGroups, urlProblem, usableOrUsageError } from "../../cli/webhook-input.js";
import { resolveTarget, type TargetOptions } from "../../registry/target.js";
import { withApi } from "../../cli/webhooks-api.js";
import { withLoopbackScheme } from "../../loopback.js";
import { refuseWildcardEvents } from "../../cli/event-wildcard.js";

export interface WebhooksCreateOptions extends TargetOptions {
  url?: string;
  events?: string[];
  status: string;
  version: string;
}

export async function run(options: WebhooksCreateOptions): Promise<void> {
  const out = createOutput({ json: options.json });
  refuseWildcardEvents(options.events, ", or leave --events out on a terminal to pick them");
  const target = resolveTarget(options);
  // Asked for only on a terminal; a script gets a usage error naming the flag instead.
  const url = options.url ?? withLoopbackScheme((await promptText("--url", { message: "Webhook URL (where Pinwheel sends events)", validate: urlProblem(target) })).trim());
  const events =
    options.events && options.events.length > 0
      ? options.events
      : await promptEvents("--events", { message: "Events to subscribe to", groups: eventGroups() });
  const body = { url, status: options.status, enabled_events: events, version: options.version ?? NEWEST_VERSION };
  const valid = usableOrUsageError(validateCreateBody(body, { allowLoopbackHttp: target.allowLoopbackHttp }), body);

  const webhook = await withApi(out, target, options.timeout, ({ api }) => api.create(valid), { createsStore: true });
  if (out.json) return out.data(webhookJson(webhook));
  out.notice(`Created in ${target.label}:`);
  printWebhook(out, webhook);
}
