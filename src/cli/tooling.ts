import { Argument, Option, type Command } from "@commander-js/extra-typings";
import { ENVIRONMENTS } from "../api/environments.js";
import { lazy } from "./lazy.js";
import { dbPath, examples, httpUrl, integer, secretValue } from "./options.js";

/** `verify`, `completion` and `mcp`: helping users (and their coding agents) fix their own handler. */
export function registerToolingCommands(program: Command): void {
  program
    .command("verify")
    .description("check a signature, and when it fails say why: re-serialized body, wrong secret, milliseconds, clock")
    .argument("[id]", "a request stored by listen (row id or event_id), instead of --body, --signature and --timestamp")
    .option("--body <file>", "the exact request body, as received ('-' reads stdin)")
    .option("--signature <header>", "the x-pinwheel-signature header (v2=...)")
    .option("--timestamp <t>", "the x-timestamp header (Unix seconds, as sent)")
    .option("--secret <secret>", "API secret to verify with (default: PINWHEEL_API_SECRET, then the config file)", secretValue("--secret"))
    .option("--tolerance <seconds>", "accepted age of x-timestamp, in seconds", integer(1), 300)
    .option("--now <time>", "check x-timestamp against this time (ISO 8601 or Unix seconds); a stored request uses the time it was received")
    .option("--db <path>", "SQLite event store, for a stored request", dbPath)
    .option("--json", "print the verdict and every diagnosis as JSON")
    .addHelpText(
      "after",
      examples([
        "pinwheel-cli verify 42",
        'pinwheel-cli verify --body body.json --signature "$SIGNATURE" --timestamp 1763900000 --secret "$PINWHEEL_API_SECRET"',
        "pinwheel-cli verify 42 --json | jq -r '.diagnoses[] | select(.matched) | .message'",
      ]),
    )
    .action(lazy(() => import("../commands/verify.js")));

  program
    .command("completion")
    .description("print a shell completion script: commands, options, event and scenario names")
    .addArgument(new Argument("<shell>", "the shell to complete in").choices(["bash", "zsh", "fish"]))
    .addHelpText(
      "after",
      examples([
        "pinwheel-cli completion bash > ~/.local/share/bash-completion/completions/pinwheel-cli",
        'pinwheel-cli completion zsh > "${fpath[1]}/_pinwheel-cli"',
        "pinwheel-cli completion fish > ~/.config/fish/completions/pinwheel-cli.fish",
      ]),
    )
    .action(lazy(() => import("../commands/completion.js")));

  program
    .command("mcp")
    .description("serve pinwheel-cli's tools to a coding agent over the Model Context Protocol (stdio)")
    .option("--db <path>", "SQLite event store the tools read and record into (default: the data directory; or PINWHEEL_CLI_DB)", dbPath)
    .option("--secret <secret>", "API secret that signs and verifies (default: PINWHEEL_API_SECRET, then the config file)", secretValue("--secret"))
    .addOption(new Option("--env <env>", "where webhooks are registered (default: local; or PINWHEEL_ENV)").choices(ENVIRONMENTS))
    .option("--base-url <url>", "API base URL instead of --env (or PINWHEEL_BASE_URL)", httpUrl)
    .option("--allow-remote", "let tools send to hosts other than this machine (default: loopback only)")
    .addHelpText(
      "after",
      "\nA coding agent's client starts it: configure the command `npx pinwheel-cli mcp` (docs/mcp.md shows\n" +
        "Claude Code, Cursor and VS Code). Stdout carries the protocol; the log goes to stderr.\n" +
        examples([
          "pinwheel-cli mcp",
          'pinwheel-cli mcp --db ./webhooks.db --secret "$PINWHEEL_API_SECRET"',
          "pinwheel-cli mcp --allow-remote --env sandbox",
        ]),
    )
    .action(lazy(() => import("../commands/mcp.js")));
}
