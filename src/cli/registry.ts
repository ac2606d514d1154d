import { Option, type Command, type OptionValues } from "@commander-js/extra-typings";
import { ENVIRONMENTS, NEWEST_VERSION, PINWHEEL_VERSIONS, WEBHOOK_STATUSES } from "../api/environments.js";
import { CONFIG_KEYS } from "../config-keys.js";
import { lazy } from "./lazy.js";
import { commaList, dbPath, examples, hostValue, httpUrl, integer, secretValue, timeoutOption } from "./options.js";
import { withLoopbackScheme } from "../loopback.js";

const PRECEDENCE_HELP =
  "\nWhere the webhooks live: --env (sandbox, development, production, or local: the embedded registry,\n" +
  "the default) or --base-url (e.g. a running `pinwheel-cli mock`). Each setting comes from its flag, else\n" +
  "its environment variable (PINWHEEL_ENV, PINWHEEL_BASE_URL, PINWHEEL_API_SECRET, PINWHEEL_API_VERSION,\n" +
  "PINWHEEL_CLI_DB), else the config file (pinwheel-cli config set), else the default.\n";

function targetOptions<Args extends unknown[], Opts extends OptionValues>(command: Command<Args, Opts>){
  return command
    .addOption(new Option("--env <env>", "where the webhooks live (default: local; or PINWHEEL_ENV, config env)").choices(ENVIRONMENTS))
    .option("--base-url <url>", "API base URL instead of --env, e.g. http://127.0.0.1:4010 (or PINWHEEL_BASE_URL)", httpUrl)
    .option("--secret <secret>", "API secret sent as x-api-secret (default: PINWHEEL_API_SECRET, then the config file)", secretValue("--secret"))
    .addOption(new Option("--api-version <date>", `Pinwheel-Version header (default: ${NEWEST_VERSION})`).choices(PINWHEEL_VERSIONS))
    .option("--timeout <ms>", "per-request timeout", timeoutOption, 10_000)
    .option("--db <path>", "SQLite database of the local registry (or PINWHEEL_CLI_DB)", dbPath)
    .option("--json", "print JSON");
}

function registerWebhooks(program: Command): void {
  const webhooks = program
    .command("webhooks")
    .description("register your endpoints with Pinwheel, or with the local stand-in (no account needed)")
    .addHelpText(
      "after",
      PRECEDENCE_HELP +
        examples([
          "pinwheel-cli webhooks create --url http://127.0.0.1:3000/ --events income.added,paystubs.added",
          "pinwheel-cli webhooks list --env sandbox",
          "pinwheel-cli webhooks list --base-url http://127.0.0.1:4010 --json",
        ]),
    );

  targetOptions(
    webhooks
      .command("create")
      .description("register a webhook (asks for --url and --events on a terminal)")
      .option("--url <url>", "where events are sent: https:// (http://localhost too, locally; localhost:8080/path means http://)", withLoopbackScheme)
      .option("--events <a,b,...>", "events to subscribe to (see: fixtures list)", commaList)
      .addOption(new Option("--status <status>", "initial status").choices(WEBHOOK_STATUSES).default("active"))
      .addOption(new Option("--version <date>", "payload version of the events it receives").choices(PINWHEEL_VERSIONS).default(NEWEST_VERSION)),
  )
    .addHelpText(
      "after",
      examples([
        "pinwheel-cli webhooks create --url http://127.0.0.1:3000/ --events income.added,paystubs.added",
        "pinwheel-cli webhooks create --env sandbox --url https://example.com/pinwheel --events account.added --json",
        "pinwheel-cli webhooks create   # asks on a terminal",
      ]),
    )
    .action(lazy(() => import("../commands/webhooks/create.js")));

  targetOptions(
    webhooks
      .command("list")
      .description("every webhook, following pages to the end; locally with each one's delivery health")
      .option("--limit <n>", "stop after this many", integer(1))
      .option("--page-size <n>", "webhooks per request (the API's limit)", integer(1, 100), 25),
  )
    .addHelpText(
      "after",
      examples(["pinwheel-cli webhooks list", "pinwheel-cli webhooks list --env sandbox --json | jq -r '.[].url'"]),
    )
    .action(lazy(() => import("../commands/webhooks/list.js")));

  targetOptions(webhooks.command("get").description("one webhook by id").argument("<id>", "webhook id (UUID)"))
    .addHelpText("after", examples(["pinwheel-cli webhooks get 61788409-8314-4e89-9300-ae7b9d3ccff5", "pinwheel-cli webhooks get <id> --env sandbox --json"]))
    .action(lazy(() => import("../commands/webhooks/get.js")));

  targetOptions(
    webhooks
      .command("update")
      .description("change a webhook's URL, events or status")
      .argument("<id>", "webhook id (UUID)")
      .option("--url <url>", "new URL", withLoopbackScheme)
      .option("--events <a,b,...>", "new list of events (replaces the old one)", commaList)
      .addOption(new Option("--status <status>", "active or paused").choices(WEBHOOK_STATUSES)),
  )
    .addHelpText(
      "after",
      examples(["pinwheel-cli webhooks update <id> --status paused", "pinwheel-cli webhooks update <id> --events income.added,employment.added --json"]),
    )
    .action(lazy(() => import("../commands/webhooks/update.js")));

  targetOptions(webhooks.command("delete").description("delete a webhook").argument("<id>", "webhook id (UUID)"))
    .addHelpText("after", examples(["pinwheel-cli webhooks delete <id>", "pinwheel-cli webhooks delete <id> --env sandbox"]))
    .action(lazy(() => import("../commands/webhooks/delete.js")));
}

function registerMock(program: Command): void {
  program
    .command("mock")
    .description("serve a local stand-in of Pinwheel's API for your client's tests: /v1/webhooks, and the sandbox accounts' data (accounts, paystubs, ...)")
    .option("-p, --port <port>", "port to listen on (0 picks a free one)", integer(0, 65535), 4010)
    .option("--host <host>", "interface to bind", hostValue, "127.0.0.1")
    .option("--secret <secret>", "the API secret clients must send as x-api-secret (default: PINWHEEL_API_SECRET, then config)", secretValue("--secret"))
    .option("--db <path>", "SQLite database (the same registry --env local uses; or PINWHEEL_CLI_DB)", dbPath)
    .option("--json", "print one JSON object per request (NDJSON); the first line is {type: ready}")
    .addHelpText(
      "after",
      examples([
        "pinwheel-cli mock",
        "pinwheel-cli mock --port 0 --json",
        "PINWHEEL_API_SECRET=test-secret pinwheel-cli mock --db ./ci-webhooks.db",
      ]),
    )
    .action(lazy(() => import("../commands/mock.js")));
}

function registerConfig(program: Command): void {
  const keys = CONFIG_KEYS.join(", ");
  const config = program
    .command("config")
    .description("settings kept in the user's config file (mode 0600)")
    .addHelpText(
      "after",
      `\nKeys: ${keys}.\nPrecedence: flags > environment variables (PINWHEEL_API_SECRET, PINWHEEL_ENV, PINWHEEL_BASE_URL,\n` +
        "PINWHEEL_API_VERSION, PINWHEEL_CLI_DB) > config file > defaults. `config list` masks the secret.\n" +
        examples(["pinwheel-cli config set env sandbox", "pinwheel-cli config set api-secret", "pinwheel-cli config list"]),
    );
  config
    .command("set")
    .description("store a setting (api-secret without a value asks for it, hidden, on a terminal)")
    .argument("<key>", keys)
    .argument("[value]", 'the value ("-" reads it from stdin)')
    .option("--json", "print JSON")
    .addHelpText(
      "after",
      examples(["pinwheel-cli config set env sandbox", "pinwheel-cli config set api-secret", "printenv PINWHEEL_SECRET | pinwheel-cli config set api-secret -"]),
    )
    .action(lazy(() => import("../commands/config.js").then((m) => ({ run: m.set }))));
  config
    .command("get")
    .description("the value in effect and where it comes from (secrets masked)")
    .argument("<key>", keys)
    .option("--json", "print JSON")
    .addHelpText("after", examples(["pinwheel-cli config get env", "pinwheel-cli config get api-secret --json"]))
    .action(lazy(() => import("../commands/config.js").then((m) => ({ run: m.get }))));
  config
    .command("list")
    .description("every setting in effect and where it comes from (secrets masked)")
    .option("--json", "print JSON")
    .addHelpText("after", examples(["pinwheel-cli config list", "pinwheel-cli config list --json"]))
    .action(lazy(() => import("../commands/config.js").then((m) => ({ run: m.list }))));
  config
    .command("unset")
    .description("remove a setting from the config file")
    .argument("<key>", keys)
    .option("--json", "print JSON")
    .addHelpText("after", examples(["pinwheel-cli config unset env", "pinwheel-cli config unset api-secret"]))
    .action(lazy(() => import("../commands/config.js").then((m) => ({ run: m.unset }))));
}

/** `webhooks`, `mock` and `config`: registering endpoints with Pinwheel or the local stand-in. */
export function registerRegistryCommands(program: Command): void {
  registerWebhooks(program);
  registerMock(program);
  registerConfig(program);
}
