import { Option, type Command, type OptionValues } from "@commander-js/extra-typings";
import { PINWHEEL_VERSIONS } from "../api/environments.js";
import { commaList, dbPath, examples, filterValue, httpUrl, integer, secretValue, timeoutOption } from "./options.js";
import { lazy } from "./lazy.js";

const WHERE_HELP =
  "\nWhere the sandbox lives: --base-url of a running `pinwheel-cli mock` (or PINWHEEL_BASE_URL), or --env local:\n" +
  "the same SQLite database the mock serves (--db). Events go to the webhooks registered there, signed with the\n" +
  "API secret (--secret, PINWHEEL_API_SECRET, config). See docs/sandbox.md.\n";

function sandboxTarget<Args extends unknown[], Opts extends OptionValues>(command: Command<Args, Opts>, timeoutMs: number){
  return command
    // No choices list: only local takes a sandbox, and a Pinwheel environment's refusal says what to use instead.
    .option("--env <env>", "local, the only one: the database directly (the default; the sandbox is not on Pinwheel's servers)")
    .option("--base-url <url>", "a running mock, e.g. http://127.0.0.1:4010 (or PINWHEEL_BASE_URL)", httpUrl)
    .option("--secret <secret>", "API secret: x-api-secret, and what deliveries are signed with (default: PINWHEEL_API_SECRET)", secretValue("--secret"))
    .addOption(new Option("--api-version <date>", "Pinwheel-Version header").choices(PINWHEEL_VERSIONS))
    .option("--timeout <ms>", "timeout of the call to the mock", timeoutOption, timeoutMs)
    .option("--db <path>", "SQLite database with --env local (or PINWHEEL_CLI_DB)", dbPath)
    .option("--json", "print JSON");
}

/** `sandbox connect|accounts|reset`: accounts whose data the mock serves and whose events agree with it. */
export function registerSandboxCommands(program: Command): void {
  const sandbox = program
    .command("sandbox")
    .description("connected accounts with generated data: the mock serves it, their events go to your webhooks")
    .addHelpText(
      "after",
      WHERE_HELP +
        examples([
          "pinwheel-cli sandbox connect --base-url http://127.0.0.1:4010",
          "pinwheel-cli sandbox connect --platform ADP --end-user-id user_123 --seed 7 --json",
          "pinwheel-cli sandbox accounts",
        ]),
    );

  sandboxTarget(
    sandbox
      .command("connect")
      .description("create an account with two years of consistent data and deliver its events (account.added … employment.added)")
      .option("--platform <name>", "a sandbox platform: Workday (default), ADP, Gusto, Paychex, UKG, Deputy, When I Work")
      .option("--end-user-id <id>", "the end user's key (default: sandbox_user_NNNNNN)", filterValue("--end-user-id"))
      .option("--jobs <a,b,...>", "data jobs: paystubs, shifts, employment, income, identity (default: all the platform supports)", commaList)
      .option("--seed <n>", "same seed, end user, platform and day: same account, ids and amounts (default: random)", integer(0, 4_294_967_295))
      .option("--fail <a,b,...>", "these jobs end in error: outcome error, and no data served", commaList)
      .option("--pending <a,b,...>", "these jobs report outcome pending before their result", commaList),
    120_000,
  )
    .addHelpText(
      "after",
      examples([
        "pinwheel-cli sandbox connect --base-url http://127.0.0.1:4010",
        "pinwheel-cli sandbox connect --platform Deputy --jobs shifts,employment --json",
        "pinwheel-cli sandbox connect --seed 42 --fail income --pending identity",
      ]),
    )
    .action(lazy(() => import("../commands/sandbox/connect.js")));

  sandboxTarget(sandbox.command("accounts").description("the sandbox's accounts, oldest first"), 10_000)
    .addHelpText("after", examples(["pinwheel-cli sandbox accounts --base-url http://127.0.0.1:4010", "pinwheel-cli sandbox accounts --json | jq -r '.[].id'"]))
    .action(lazy(() => import("../commands/sandbox/accounts.js")));

  sandboxTarget(sandbox.command("reset").description("delete every sandbox account and Link token (webhooks stay)"), 10_000)
    .option("--yes", "delete without asking (required off a terminal)")
    .addHelpText("after", examples(["pinwheel-cli sandbox reset --base-url http://127.0.0.1:4010 --yes", "pinwheel-cli sandbox reset --env local --db ./ci.db --yes"]))
    .action(lazy(() => import("../commands/sandbox/reset.js")));
}
