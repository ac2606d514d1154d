import { readFileSync } from "node:fs";
import { INTERRUPTED_PREFIX } from "./errors.js";
import { saveBeforeExit } from "./interrupt.js";
import { VERSION } from "./version.js";

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
  const { runProgram } = await import("./cli/run.js");
  return runProgram(argv);
}

// `pinwheel-cli ... | head` closes the pipe early: that is the reader's choice, not a failure.
process.stdout.on("error", (error: NodeJS.ErrnoException) => {
  if (error.code === "EPIPE") process.exit(process.exitCode ?? 0);
  throw error;
});

// Ctrl+C during a command that does not stop gracefully itself (simulate --retry waiting out a
// backoff, smoke, replay): one line and 130. listen and mock add their own handler, finish what is in
// flight and then throw interrupted(), which ends in the same line and code.
// A run of deliveries first writes the attempts it made (src/interrupt.ts); a second Ctrl+C does not wait.
let interrupting = false;
process.on("SIGINT", () => {
  if (process.listenerCount("SIGINT") > 1) return;
  const exit = () => {
    process.stderr.write(`${INTERRUPTED_PREFIX}\n`);
    process.exit(130);
  };
  if (interrupting) exit();
  interrupting = true;
  void saveBeforeExit().finally(exit);
});

process.exitCode = await main(process.argv);
