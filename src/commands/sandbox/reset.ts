import { usageError } from "../../errors.js";
import { createOutput } from "../../output/index.js";
import { canPrompt, promptConfirm } from "../../output/prompts.js";
import { resolveSandboxTarget, withSandbox, type SandboxTargetOptions } from "../../cli/sandbox-target.js";

export interface SandboxResetOptions extends SandboxTargetOptions {
  yes?: boolean;
}

export async function run(options: SandboxResetOptions): Promise<void> {
  const out = createOutput({ json: options.json });
  const target = resolveSandboxTarget(options);
  // As events prune asks: on a terminal a question, anywhere else --yes, so a script never deletes by
  // accident. Counting first reports a missing store or a mock that is not running before any question.
  if (!options.yes) {
    const accounts = (await withSandbox(out, target, options.timeout, (api) => api.accounts())).length;
    const what = `${accounts} sandbox account${accounts === 1 ? "" : "s"} and every Link token in ${target.label}`;
    if (!canPrompt(out.settings)) throw usageError(`this deletes ${what}; confirm with --yes (or see them with "pinwheel-cli sandbox accounts")`);
    if (!(await promptConfirm("--yes", { message: `Delete ${what} (webhooks stay)?` }, out.settings))) {
      out.notice("Nothing was deleted.");
      return;
    }
  }
  const removed = await withSandbox(out, target, options.timeout, (api) => api.reset());
  if (out.json) return void out.data({ deleted_accounts: removed.accounts, deleted_link_tokens: removed.linkTokens });
  out.line(`Deleted ${removed.accounts} sandbox account${removed.accounts === 1 ? "" : "s"} and ${removed.linkTokens} Link token${removed.linkTokens === 1 ? "" : "s"} from ${target.label}; webhooks are kept.`);
}
