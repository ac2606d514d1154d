import { createOutput } from "../../output/index.js";
import { webhookIdOrUsageError } from "../../cli/webhook-input.js";
import { resolveTarget, type TargetOptions } from "../../registry/target.js";
import { withApi } from "../../cli/webhooks-api.js";

export async function run(idArg: string, options: TargetOptions): Promise<void> {
  const out = createOutput({ json: options.json });
  const id = webhookIdOrUsageError(idArg);
  const target = resolveTarget(options);
  await withApi(out, target, options.timeout, ({ api }) => api.delete(id), { namesWebhook: true });
  if (out.json) return out.data({ id, deleted: true });
  out.line(`Deleted webhook ${id} from ${target.label}`);
}
