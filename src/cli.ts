import { Command, Option } from "@commander-js/extra-typings";
import { lazy } from "./cli/lazy.js";
import { VERSION } from "./version.js";
import { ENVIRONMENTS } from "./api/environments.js";
import { TUNNEL_PROGRAMS } from "./tunnel/public-url.js";
import { registerRegistryCommands } from "./cli/registry.js";
import { registerSandboxCommands } from "./cli/sandbox.js";
import { registerToolingCommands } from "./cli/tooling.js";
import { usageError } from "./errors.js";
import { didYouMean, didYouMeanOneOf } from "./suggest.js";
import { stripeNameAdvice, type TypedWhere } from "./cli/stripe-names.js";
import { redactTypedUrl } from "./redact-url.js";
import { apiVersionDate, collect, commaList, dbPath, duplicateCount, duration, examples, expectedStatuses, filterValue, hostValue, httpUrl, integer, positiveNumber, retryBaseOption, secretValue, since, timeoutOption, uuid } from "./cli/options.js";


/**
 * "error: unknown command 'lisen'\n(Did you mean listen?)\n" -> "error: unknown command 'lisen'; did you mean "listen"?\n",
 * worded as every other suggestion here (didYouMeanOneOf).
 */
export function suggestionOnOneLine(text: string): string {
  return text.replace(/\n\(Did you mean (?:one of )?(.+)\?\)\n?$/, (_match, names: string) => `; ${didYouMeanOneOf(names.split(", "))}\n`);
}

/**
 * Commander refuses a value outside an option's or argument's choices by listing them; a typo of
 * one of them is answered like every other typo here, on the same line:
 * "... Allowed choices are smoke, conformance." -> "... Allowed choices are smoke, conformance; did you mean "conformance"?".
 */
export function choiceSuggestion(text: string): string {
  const refused = /(?:argument|value) '(.*)' is invalid(?: for argument '[^']*')?\. Allowed choices are (.+)\.\n?$/.exec(text);
  if (!refused) return text;
  const [, value = "", choices = ""] = refused;
  const suggestion = didYouMean(value, choices.split(", "));
  return suggestion ? `${text.replace(/\.\n?$/, "")}; ${suggestion}\n` : text;
}

/** Commander's lines that name no way out: an unknown name, an argument missing or one too many, an option without its value. */
const BARE_REFUSAL = /^error: (unknown (command|option) '[^']*'|missing required argument '[^']*'|too many arguments.*|option '[^']*' argument missing)\n?$/;

/**
 * Commander's error line as this CLI says it: one line (its suggestion on the same line), and an
 * unknown command or option that resembles none points to the help that lists them. A Stripe CLI
 * name (`--format`, `events resend`) is answered with what this CLI has instead, not a spelling guess.
 */
export function commanderErrorLine(text: string, commandPath: string, options: readonly string[] = []): string {
  const unknown = /^error: unknown (command|option) '([^']*)'/.exec(text);
  if (unknown) {
    const [known, kind = "", typed = ""] = unknown;
    const where: TypedWhere = { path: commandPath.split(" ").slice(1).join(" "), has: (option) => options.includes(option) };
    const advice = stripeNameAdvice(kind as "command" | "option", typed, where);
    if (advice) return `${known}; ${advice}\n`;
  }
  const line = withoutTypedCredentials(choiceSuggestion(suggestionOnOneLine(text)));
  // Commander's bare refusals say what is wrong but not what to do: they point to the help that does.
  return BARE_REFUSAL.test(line) ? `${line.trimEnd().replace(/\.$/, "")}; see "${commandPath} --help"\n` : line;
}

/**
 * Help comes in pieces (the text, then the examples addHelpText adds): written as one, `--help |
 * head -1` finds the pipe still open for all of it, where the second piece used to meet the closed
 * pipe (EPIPE: exit 141, "stdout was closed"). Commander throws instead of exiting (exitOverride),
 * so the next tick comes.
 */
let helpPending = "";
function writeHelpTogether(text: string): void {
  if (helpPending === "") {
    process.nextTick(() => {
      const whole = helpPending;
      helpPending = "";
      process.stdout.write(whole);
    });
  }
  helpPending += text;
}

/** Each command words commander's errors with its own path (for the help it points to) and options. */
function wordCommanderErrors(command: Command, commandPath: string): void {
  const options = command.options.flatMap((option) => [option.long, option.short].filter((flag): flag is string => flag !== undefined));
  command.configureOutput({ outputError: (text, write) => write(commanderErrorLine(text, commandPath, options)), writeOut: writeHelpTogether });
  for (const sub of command.commands) wordCommanderErrors(sub as Command, `${commandPath} ${sub.name()}`);
}

/** Commander quotes a refused option value whole: a URL's password with it (`--to http://user:secret@...`). */
export function withoutTypedCredentials(text: string): string {
  return text.replace(/(argument ')(.*)(' is invalid\.)/, (_match, before: string, value: string, after: string) => `${before}${redactTypedUrl(value)}${after}`);
}

/**
 * `help <command>` for a command that does not exist: commander prints the whole help to stderr
 * and no error line. Commands in `args` (after node and the script) are looked up level by level.
 */
export function checkHelpTopic(program: Command, args: readonly string[]): void {
  if (args[0] !== "help") return;
  let command: Command = program;
  let commandPath = program.name();
  for (const name of args.slice(1)) {
    if (name.startsWith("-")) return;
    const found = command.commands.find((sub) => sub.name() === name || sub.aliases().includes(name));
    if (!found) {
      const advice = stripeNameAdvice("command", name, { path: commandPath.split(" ").slice(1).join(" "), has: () => false });
      if (advice) throw usageError(`unknown command '${name}'; ${advice}`);
      const suggestion = didYouMean(name, command.commands.map((sub) => sub.name()));
      throw usageError(`unknown command '${name}'; ${suggestion || `see "${commandPath} --help"`}`);
    }
    command = found as Command;
    commandPath = `${commandPath} ${command.name()}`;
  }
}

export function buildProgram(): Command {
  const program = new Command("pinwheel-cli");
  program
    .description("Receive, verify, simulate and replay Pinwheel webhooks, on a laptop and in CI.")
    .version(VERSION, "-v, --version")
    // Taken out of argv by main() wherever it stands; declared here so that --help lists it.
    .option("-q, --quiet", "no notices on stderr (errors, warnings and data still print); after any command")
    .exitOverride()
    // `webhooks create --version <date>` must reach the subcommand, not print the CLI's version.
    .enablePositionalOptions()
    .showSuggestionAfterError()
    .configureHelp({ sortSubcommands: false, showGlobalOptions: false })
    .addHelpText(
      "after",
      examples([
        "pinwheel-cli listen --port 3000",
        "pinwheel-cli simulate paystubs.fully_synced",
        "pinwheel-cli events list --verdict failed",
      ]) +
        "\nThe API secret (used to sign and verify) comes from --secret, else PINWHEEL_API_SECRET,\n" +
        "else the config file, else a fixed local development secret. PINWHEEL_HOME moves every file.\n",
    );

  program
    .command("listen")
    .description("receive webhooks: verify each signature, store every request in SQLite, show it")
    .option("-p, --port <port>", "port to listen on (0 picks a free one)", integer(0, 65535), 3000)
    .option("--host <host>", "interface to bind", hostValue, "127.0.0.1")
    .option("--db <path>", "SQLite event store (default: the data directory; or PINWHEEL_CLI_DB)", dbPath)
    .option("--secret <secret>", "API secret that signs deliveries (default: PINWHEEL_API_SECRET)", secretValue("--secret"))
    .option("--tolerance <seconds>", "accepted age of x-timestamp, in seconds", integer(1), 300)
    .option("--skip-verify", "accept requests without checking signatures")
    .option("--max-connections <n>", "requests on connections beyond this are stored and answered 503", integer(1, 100_000), 1024)
    .option("--max-body-mb <n>", "MiB a request's body may have; a larger one is stored (its first MiBs) and answered 413", integer(1, 1024), 1)
    .option("--forward-to <url>", "forward every verified event to your app (body byte for byte, re-signed)", httpUrl)
    .option("--forward-secret <secret>", "sign forwarded events with this secret instead", secretValue("--forward-secret", "the listener's own secret"))
    .option("--forward-status", "answer the sender with the app's status, so Pinwheel-style retries reach the app")
    .option("--forward-retry", "retry forwards after a 5XX, network error or timeout, like Pinwheel")
    .option("--forward-timeout <ms>", "per-attempt timeout for forwards", timeoutOption, 15_000)
    .option("--forward-queue <n>", "forwards waiting on the app at most; past it a forward is recorded as abandoned (with --forward-status: answered 503)", integer(1, 1_000_000), 1000)
    .option("--forward-queue-mb <n>", "MiB of bodies those forwards may hold at most", integer(1, 65_536), 64)
    .option("--events <a,b,...>", "only show and forward these events (all are still stored); with --register, the ones subscribed to", commaList)
    .option("--no-ui", "do not serve the inspector page at /_/")
    .addOption(new Option("--register <env>", "register a webhook for this listener with Pinwheel (deleted on exit); --secret is that environment's").choices(ENVIRONMENTS))
    .option("--public-url <url>", "the https address Pinwheel sends to (your tunnel's); --register local defaults to listen's own", httpUrl)
    .addOption(new Option("--tunnel <program>", "start this tunnel for listen's port and use its public URL").choices(TUNNEL_PROGRAMS))
    .option("--keep", "leave the registered webhook in place on exit")
    .option("--yes", "confirm --register production")
    .option("--base-url <url>", "where --register's API lives instead of the environment's, e.g. a running pinwheel-cli mock", httpUrl)
    .option("--json", "print one JSON object per request (NDJSON); the first line is {type: ready}")
    .addHelpText(
      "after",
      examples([
        "pinwheel-cli listen",
        "pinwheel-cli listen --port 0 --json | jq 'select(.type == \"request\") | .event'",
        "pinwheel-cli listen --tunnel cloudflared --register sandbox --forward-to http://localhost:8080/webhooks/pinwheel --forward-status",
      ]),
    )
    .action(lazy(() => import("./commands/listen/listen.js")));

  program
    .command("simulate")
    .alias("trigger")
    .description("sign and send a realistic Pinwheel event, built from its fixture")
    .argument("[event]", "event name, e.g. paystubs.fully_synced (see: fixtures list)")
    .option("--to <url>", "where to send it (default: every active local webhook subscribed to the event, else http://127.0.0.1:3000/)", httpUrl)
    .option("--secret <secret>", "API secret to sign with (default: PINWHEEL_API_SECRET)", secretValue("--secret"))
    .option("--webhook-id <uuid>", "x-pinwheel-webhook-id to send (default: a new UUID)", uuid)
    .option("--account-id <id>", "payload.account_id", filterValue("--account-id"))
    .option("--end-user-id <id>", "payload.end_user_id (scenarios: default config set end-user-id, else made up)", filterValue("--end-user-id"))
    .option("--api-version <date>", "the payload format of this Pinwheel API version, e.g. 2023-04-18 (default: today's; in the fan-out, each webhook's version)", apiVersionDate)
    .addOption(new Option("--outcome <outcome>", "payload.outcome of a job event").choices(["success", "error", "pending"]))
    .option("--set <path=value>", "change a field the fixture has (repeatable; JSON values)", collect)
    .option("--add <path=value>", "add a field the fixture lacks (repeatable; JSON values)", collect)
    .option("--unset <path>", "remove a field (repeatable)", collect)
    .option("--data <file>", "send this body instead of the fixture ('-' reads stdin)")
    .option("-n, --count <n>", "send N distinct events", integer(1, 10_000_000), 1)
    .option("-c, --concurrency <n>", "requests in flight at once with --count", integer(1, 1024), 8)
    .option("--timeout <ms>", "per-attempt timeout (Pinwheel waits 15 s)", timeoutOption, 15_000)
    .option("--retry", "retry after a 5XX, network error or timeout: up to 5 more attempts within 15 min, like Pinwheel")
    .option("--retry-base <ms>", "compress the retry schedule to this base delay (implies --retry)", retryBaseOption)
    .option("--duplicate [n]", "send the same event (same event_id and body) n more times (default 1)", duplicateCount)
    .option("--pending", "send the job with outcome pending, then the same job with its result (--outcome error for an error)")
    .option("--scenario <name|file>", "play a sequence of events (see: scenarios list) or your own scenario file")
    .option("--speed <factor>", "scale scenario delays: 2 plays twice as fast, 100 almost at once (default: 1)", positiveNumber)
    .option("--pause-after <duration>", "fan-out: pause a local webhook after failing this long, like Pinwheel's 30 days (e.g. 10s)", duration)
    .option("--sandbox <mock-url>", "send the ids and data (paystub and shift batches, their windows) of a new account in this running mock, so a handler that calls back finds them", httpUrl)
    .option("--seed <n>", "with --sandbox: same seed, end user and day, same account (ids, batches) every run (default: random)", integer(0, 4_294_967_295))
    .option("--db <path>", "where delivery attempts are recorded", dbPath)
    .option("--json", "print one JSON object per attempt")
    .addHelpText(
      "after",
      examples([
        "pinwheel-cli simulate paystubs.fully_synced",
        "pinwheel-cli simulate income.added --pending --outcome error --retry --to http://localhost:8080/webhooks/pinwheel",
        "pinwheel-cli simulate --scenario at-least-once --speed 10",
      ]),
    )
    .action(lazy(() => import("./commands/simulate.js")));

  const events = program
    .command("events")
    .description("inspect the requests stored by listen")
    .addHelpText("after", examples(["pinwheel-cli events list --event paystubs.added", "pinwheel-cli events show 42 --json", "pinwheel-cli events prune --before 7d --yes"]));
  events
    .command("list")
    .description("stored requests, newest first (rejected ones too)")
    .option("--event <name>", "only this event", filterValue("--event"))
    .option("--account-id <id>", "only this payload.account_id", filterValue("--account-id"))
    .option("--verdict <verdict>", "verified, failed, or a reason such as bad_signature, stale_timestamp")
    .option("--since <when>", "ISO date/time, or a duration ago such as 15m, 2h, 7d", since)
    .option("--limit <n>", "at most this many rows", integer(1), 50)
    .option("--db <path>", "SQLite event store", dbPath)
    .option("--json", "print a JSON array")
    .addHelpText(
      "after",
      examples(["pinwheel-cli events list", "pinwheel-cli events list --verdict failed --since 1h", "pinwheel-cli events list --json | jq '.[0]'"]),
    )
    .action(lazy(() => import("./commands/events/list.js")));
  events
    .command("show")
    .description("one stored request: headers, body, verdicts")
    .argument("<id>", "row id or event_id")
    .option("--db <path>", "SQLite event store", dbPath)
    .option("--json", "print JSON")
    .addHelpText("after", examples(["pinwheel-cli events show 1", "pinwheel-cli events show 5a141122-4235-4fa1-bd76-0628573880b0 --json"]))
    .action(lazy(() => import("./commands/events/show.js")));
  events
    .command("prune")
    .description("delete stored requests (and the attempts that replayed them), safely while listen runs")
    .option("--before <when>", "received before an ISO date/time, or a duration ago such as 24h, 7d", since)
    .option("--all", "every stored request")
    .option("--dry-run", "only count what would be deleted")
    .option("--yes", "delete without asking (required off a terminal)")
    .option("--vacuum", "then rewrite the file to its new size (briefly blocks other writers)")
    .option("--db <path>", "SQLite event store", dbPath)
    .option("--json", "print a JSON object")
    .addHelpText(
      "after",
      examples(["pinwheel-cli events prune --before 7d --dry-run", "pinwheel-cli events prune --before 2026-11-01 --yes --json", "pinwheel-cli events prune --all --yes --vacuum"]),
    )
    .action(lazy(() => import("./commands/events/prune.js")));

  const fixtures = program
    .command("fixtures")
    .description("the events pinwheel-cli can simulate, built on Pinwheel's docs")
    .addHelpText("after", examples(["pinwheel-cli fixtures list", "pinwheel-cli fixtures show paystubs.added"]));
  fixtures
    .command("list")
    .description("every catalog event with its family and description")
    .option("--json", "print a JSON array")
    .addHelpText("after", examples(["pinwheel-cli fixtures list", "pinwheel-cli fixtures list --json | jq -r '.[].name'"]))
    .action(lazy(() => import("./commands/fixtures/list.js")));
  fixtures
    .command("show")
    .description("the exact body simulate would send (fresh event_id and timestamps)")
    .argument("<event>", "event name")
    .option("--json", "compact JSON, the exact bytes simulate sends (also what a pipe gets)")
    .option("--api-version <date>", "the payload format of this Pinwheel API version, and what it changes (on stderr)", apiVersionDate)
    .addHelpText(
      "after",
      examples([
        "pinwheel-cli fixtures show paystubs.fully_synced",
        "pinwheel-cli fixtures show income.added | jq .payload",
        "pinwheel-cli fixtures show direct_deposit_switch.added --api-version 2022-07-01",
      ]),
    )
    .action(lazy(() => import("./commands/fixtures/show.js")));

  program
    .command("replay")
    .alias("resend")
    .description("send stored requests again: re-signed with a fresh timestamp, or exactly as recorded")
    .argument("[ids...]", "row ids or event_ids from events list")
    .option("--to <url>", "where to send them (default: where listen --forward-to last forwarded)", httpUrl)
    .option("--event <name>", "every stored request of this event", filterValue("--event"))
    .option("--account-id <id>", "every stored request for this payload.account_id", filterValue("--account-id"))
    .option("--since <when>", "received since an ISO date/time or a duration ago (15m, 2h, 7d)", since)
    .option("--verdict <verdict>", "verified, failed, or a reason such as bad_signature")
    .option("--all", "every stored request")
    .option("--as-recorded", "send the stored headers and body untouched (tests that your handler refuses a stale replay)")
    .option("--include-unverified", "also re-sign requests that were not verified when they arrived, --skip-verify ones included (they would reach your app as genuine)")
    .option("--include-rejected", "also re-sign requests whose signature verified but that listen answered 400: not Pinwheel events (a body that is not JSON...)")
    .option("--secret <secret>", "API secret to re-sign with (default: PINWHEEL_API_SECRET)", secretValue("--secret"))
    .option("-c, --concurrency <n>", "requests in flight at once", integer(1, 1024), 8)
    .option("--timeout <ms>", "per-attempt timeout", timeoutOption, 15_000)
    .option("--retry", "retry after a 5XX, network error or timeout, like Pinwheel")
    .option("--retry-base <ms>", "compress the retry schedule (implies --retry)", retryBaseOption)
    .option("--db <path>", "SQLite event store", dbPath)
    .option("--json", "print one JSON object per attempt and a summary")
    .addHelpText(
      "after",
      examples([
        "pinwheel-cli replay 42 --to http://localhost:8080/webhooks/pinwheel",
        "pinwheel-cli replay --since 1h --include-rejected --to http://localhost:8080/webhooks/pinwheel   # with bodies listen answered 400",
        "pinwheel-cli replay 42 --as-recorded --to http://localhost:8080/webhooks/pinwheel   # expect 401",
      ]),
    )
    .action(lazy(() => import("./commands/replay.js")));

  program
    .command("smoke")
    .description("CI check: send every event (or a scenario) to your app and check each answer")
    .option("--to <url>", "your app's webhook endpoint (required)", httpUrl)
    .option("--events <a,b,...>", "only these events (default: every catalog event)", commaList)
    .option("--scenario <name|file>", "play a scenario instead of one of each event")
    .addOption(new Option("--expect <statuses>", "accepted answers: 2xx, or codes such as 200,204").argParser(expectedStatuses).default(["2xx"], "2xx"))
    .addOption(new Option("--reporter <format>", "report format").choices(["table", "junit", "json"]).default("table"))
    .option("--output <file>", "write the report (JUnit XML) to this file; the table still prints")
    .option("--secret <secret>", "API secret to sign with (default: PINWHEEL_API_SECRET)", secretValue("--secret"))
    .option("--timeout <ms>", "per-request timeout (conformance: later answers fail response-time)", timeoutOption, 15_000)
    .option("--speed <factor>", "scale the --scenario's delays (default: 100, almost at once)", positiveNumber)
    .option("--db <path>", "where delivery attempts are recorded", dbPath)
    .option("--json", "print the report as JSON (same as --reporter json)")
    .addOption(new Option("--suite <suite>", "smoke: each event once; conformance: the checks in docs/conformance.md").choices(["smoke", "conformance"]).default("smoke"))
    .option("--checks <a,b,...>", "conformance: only these checks (default: all)", commaList)
    .option("--tolerance <seconds>", "conformance: the timestamp age your handler refuses beyond (default: 300)", integer(1))
    .option(
      "--end-user-id <id>",
      "payload.end_user_id: a test user your app knows (default: config set end-user-id, else made up); conformance sends forgeries for it too",
      filterValue("--end-user-id"),
    )
    .option("--state-url <url>", "conformance: a GET returning a JSON count or list of what your app processed", httpUrl)
    .option("--strict", "conformance: a warning fails the run too (exit 1; a failure in JUnit)")
    .addHelpText(
      "after",
      examples([
        "pinwheel-cli smoke --to http://localhost:8080/webhooks/pinwheel --reporter junit --output pinwheel-smoke.xml",
        "pinwheel-cli smoke --to http://localhost:8080/webhooks/pinwheel --scenario at-least-once --expect 200,204",
        "pinwheel-cli smoke --suite conformance --to http://localhost:8080/webhooks/pinwheel --state-url http://localhost:8080/events/count",
      ]),
    )
    .action(lazy(() => import("./commands/smoke/smoke.js")));

  const deliveries = program
    .command("deliveries")
    .description("what simulate, replay and smoke sent, attempt by attempt")
    .addHelpText("after", examples(["pinwheel-cli deliveries list", "pinwheel-cli deliveries list --event-id <uuid> --json"]));
  deliveries
    .command("list")
    .description("recorded delivery attempts, newest first")
    .option("--event-id <uuid>", "only attempts for this event_id", filterValue("--event-id"))
    .option("--limit <n>", "at most this many rows", integer(1), 50)
    .option("--db <path>", "SQLite event store", dbPath)
    .option("--json", "print a JSON array")
    .addHelpText("after", examples(["pinwheel-cli deliveries list", "pinwheel-cli deliveries list --json | jq '.[] | select(.status_code != 200)'"]))
    .action(lazy(() => import("./commands/deliveries/list.js")));

  registerRegistryCommands(program);
  registerSandboxCommands(program);
  registerToolingCommands(program);

  const scenarios = program
    .command("scenarios")
    .description("realistic sequences of events (a sync, monitoring lost and restored, duplicates...)")
    .addHelpText("after", examples(["pinwheel-cli scenarios list", "pinwheel-cli scenarios show at-least-once"]));
  scenarios
    .command("list")
    .description("the built-in scenarios")
    .option("--json", "print a JSON array")
    .addHelpText("after", examples(["pinwheel-cli scenarios list", "pinwheel-cli simulate --scenario paystubs-sync"]))
    .action(lazy(() => import("./commands/scenarios/list.js")));
  scenarios
    .command("show")
    .description("the steps of a scenario, built in or from a file")
    .argument("<name|file>", "scenario name or path to a JSON file")
    .option("--json", "print the scenario as JSON (a starting point for your own)")
    .addHelpText("after", examples(["pinwheel-cli scenarios show paystubs-sync", "pinwheel-cli scenarios show at-least-once --json > my-scenario.json"]))
    .action(lazy(() => import("./commands/scenarios/show.js")));

  wordCommanderErrors(program, "pinwheel-cli");
  return program;
}
