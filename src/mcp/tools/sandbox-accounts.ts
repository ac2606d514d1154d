import { sandboxTargetOrUsageError, withSandbox } from "../../cli/sandbox-target.js";
import { collectingOutput } from "../../output/collect.js";
import { accountsJson } from "../../output/sandbox.js";
import { defineTool } from "../tool.js";

export const sandboxAccounts = defineTool({
  name: "sandbox_accounts",
  title: "List the sandbox's connected accounts",
  description:
    "Lists the connected accounts in pinwheel-cli's sandbox, oldest first, as `pinwheel-cli sandbox accounts --json` does: " +
    "each account's id, end_user_id, platform_id, monitoring status and creation time, its data jobs (and those that " +
    "ended in error), and how many paystubs and shifts the mock serves for it. Use it to find an account made earlier by " +
    "sandbox_connect (or by the developer) whose ids a handler can fetch from the mock's Core Data API. The sandbox is the " +
    "one the server was started with (--base-url of a running `pinwheel-cli mock`, or --env local). Sends no webhook.",
  input: {},
  sends: false,
  async run(_args, context) {
    const target = sandboxTargetOrUsageError(context.registry);
    const accounts = await withSandbox(collectingOutput(), target, 10_000, (api) => api.accounts());
    const rows = accountsJson(accounts);
    const lines = accounts.map(({ account, paystubs, shifts }) => `${account.id}  ${account.end_user_id}  ${account.platform_id}  ${paystubs} paystubs, ${shifts} shifts`);
    return {
      data: { sandbox: target.label, accounts: rows },
      text: [...lines, `${accounts.length} account${accounts.length === 1 ? "" : "s"} in ${target.label}`].join("\n"),
    };
  },
});
