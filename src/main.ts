import { readFileSync } from "node:fs";
import { INTERRUPTED_PREFIX, isCliError } from "./errors.js";
import { VERSION } from "./version.js";

/** The build's snapshot of the top-level --help (scripts/write-help-snapshot.js); absent when run from source. */
function helpSnapshot(): string | undefined {
  try {
    return readFileSync(new URL("./help.txt", import.meta.url), "utf8");
  } catch {
    return undefined;
  }
}

/** argv without --quiet/-q (before a "--"), and whether it was there. */
function withoutQuiet(argv: readonly string[]): { argv: string[]; quiet: boolean } {
  const end = argv.indexOf("--");
  const head = end === -1 ? [...argv] : argv.slice(0, end);
  const kept = head.filter((arg, index) => index < 2 || (arg !== "--quiet" && arg !== "-q"));
  return { argv: end === -1 ? kept : [...kept, ...argv.slice(end)], quiet: kept.length !== head.length };
}

/** The single exit point: every failure becomes one line on stderr and an exit code. */
async function main(argv: readonly string[]): Promise<number> {
  // Scripts ask for the version often: answer it without building the whole program.
  if (argv.length === 3 && (argv[2] === "--version" || argv[2] === "-v")) {
    process.stdout.write(`${VERSION}\n`);
    return 0;
  }
  // No arguments at all is a request for help too, as with most CLIs: not a usage error.
  const asksForHelp = argv.length === 2 || (argv.length === 3 && (argv[2] === "--help" || argv[2] === "-h"));
  const snapshot = asksForHelp ? helpSnapshot() : undefined;
  if (snapshot !== undefined) {
    process.stdout.write(snapshot);
    return 0;
  }
  const [{ CommanderError }, { buildProgram }, { requestQuiet }] = await Promise.all([import("commander"), import("./cli.js"), import("./config.js")]);
  const program = buildProgram();
  // --quiet may follow any command (`simulate x --quiet`), so it is taken out before commander sees it.
  const quietAt = withoutQuiet(argv);
  if (quietAt.quiet) requestQuiet();
  try {
    await program.parseAsync(quietAt.argv);
    return typeof process.exitCode === "number" ? process.exitCode : 0;
  } catch (error) {
    if (error instanceof CommanderError) {
      // Commander has already printed its own message; help and --version are not failures.
      return error.exitCode === 0 ? 0 : 2;
    }
    if (isCliError(error)) {
      // Ctrl+C is the user's choice, not a failure: the same line as the SIGINT handler below, without "error:".
      process.stderr.write(error.exitCode === 130 ? `${error.message}\n` : `error: ${error.message}\n`);
      return error.exitCode;
    }
    const message = error instanceof Error ? error.message : String(error);
    process.stderr.write(`error: unexpected failure: ${message}\n`);
    const { terminalSettings } = await import("./config.js");
    if (terminalSettings().debug && error instanceof Error && error.stack) {
      process.stderr.write(`${error.stack}\n`);
    } else {
      process.stderr.write("(run with PINWHEEL_DEBUG=1 for details, and report it if it persists)\n");
    }
    return 1;
  }
}

// `pinwheel-cli ... | head` closes the pipe early: that is the reader's choice, not a failure.
process.stdout.on("error", (error: NodeJS.ErrnoException) => {
  if (error.code === "EPIPE") process.exit(process.exitCode ?? 0);
  throw error;
});

// Ctrl+C during a command that does not stop gracefully itself (simulate --retry waiting out a
// backoff, smoke, replay): one line and 130. listen and mock add their own handler, finish what is in
// flight and then throw interrupted(), which ends in the same line and code.
process.on("SIGINT", () => {
  if (process.listenerCount("SIGINT") > 1) return;
  process.stderr.write(`${INTERRUPTED_PREFIX}\n`);
  process.exit(130);
});

process.exitCode = await main(process.argv);
