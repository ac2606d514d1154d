import { Argument, type Command } from "commander";
import { lazy } from "./lazy.js";
import { examples, integer, secretValue } from "../options.js";

/** `verify` and `completion`: helping users fix their own handler. */
export function registerToolingCommands(program: Command): void {
  program
    .command("verify")
    .description("check a signature, and when it fails say why: re-serialized body, wrong secret, milliseconds, clock")
    .argument("[id]", "a request stored by listen (row id or event_id), instead of --body, --signature and --timestamp")
    .option("--body <file>", "the exact request body, as received ('-' reads stdin)")
    .option("--signature <v2=...>", "the x-pinwheel-signature header")
    .option("--timestamp <t>", "the x-timestamp header (Unix seconds, as sent)")
    .option("--secret <secret>", "API secret to verify with (default: PINWHEEL_API_SECRET, then the config file)", secretValue("--secret"))
    .option("--tolerance <seconds>", "accepted age of x-timestamp, in seconds", integer(1), 300)
    .option("--now <time>", "check x-timestamp against this time (ISO 8601 or Unix seconds); a stored request uses the time it was received")
    .option("--db <path>", "SQLite event store, for a stored request")
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
}
