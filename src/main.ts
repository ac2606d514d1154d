import { readFileSync } from "node:fs";
import { isCliError } from "./errors.js";
import { VERSION } from "./version.js";
import { redactUrlsIn } from "./redact-url.js";

/** The build's snapshot of the top-level --help (scripts/write-help-snapshot.js); absent when run from source. */
function helpSnapshot(): string | undefined {
  try {
    return readFileSync(new URL("./help.txt", import.meta.url), "utf8");
  } catch {
    return undefined;
  }
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
  const [{ CommanderError }, { buildProgram }] = await Promise.all([import("commander"), import("./cli.js")]);
  const program = buildProgram();
  try {
    await program.parseAsync(argv as string[]);
    return typeof process.exitCode === "number" ? process.exitCode : 0;
  } catch (error) {
    if (error instanceof CommanderError) {
      // Commander has already printed its own message; help and --version are not failures.
      return error.exitCode === 0 ? 0 : 2;
    }
    if (isCliError(error)) {
      process.stderr.write(`error: ${redactUrlsIn(error.message)}\n`);
      return error.exitCode;
    }
    const message = error instanceof Error ? error.message : String(error);
    process.stderr.write(`error: unexpected failure: ${redactUrlsIn(message)}\n`);
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

process.exitCode = await main(process.argv);
