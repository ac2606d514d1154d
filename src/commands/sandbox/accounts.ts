import { createOutput } from "../../output/index.js";
import { printAccounts } from "../../output/sandbox.js";
import { platformById } from "../../sandbox/platforms.js";
import { resolveSandboxTarget, withSandbox, type SandboxTargetOptions } from "../../cli/sandbox-target.js";

export async function run(options: SandboxTargetOptions): Promise<void> {
  const out = createOutput({ json: options.json });
  const target = resolveSandboxTarget(options);
  const accounts = await withSandbox(out, target, options.timeout, (api) => api.accounts());
  printAccounts(out, accounts, (id) => platformById(id)?.name ?? id, target.label);

}
