import { createOutput } from "../../output/index.js";
import { resolveSandboxTarget, withSandbox, type SandboxTargetOptions } from "../../cli/sandbox-target.js";

export async function run(options: SandboxTargetOptions): Promise<void> {
  const out = createOutput({ json: options.json });
  const target = resolveSandboxTarget(options);
  const removed = await withSandbox(out, target, options.timeout, (api) => api.reset());
  if (out.json) return void out.data({ deleted_accounts: removed.accounts, deleted_link_tokens: removed.linkTokens });
  out.line(`Deleted ${removed.accounts} sandbox account${removed.accounts === 1 ? "" : "s"} and ${removed.linkTokens} Link token${removed.linkTokens === 1 ? "" : "s"} from ${target.label}; webhooks are kept.`);

}
