import { fastAction } from "./fast.js";
import { redactUrlsIn } from "../redact-url.js";
import { requestQuiet } from "../quiet.js";
import { prepareColors } from "../output/colors.js";

/** argv without --quiet/-q (before a "--"), and whether it was there. */
export function withoutQuiet(argv: readonly string[]): { argv: string[]; quiet: boolean } {
  const end = argv.indexOf("--");
  const head = end === -1 ? [...argv] : argv.slice(0, end);
  const kept = head.filter((arg, index) => index < 2 || (arg !== "--quiet" && arg !== "-q"));
  return { argv: end === -1 ? kept : [...kept, ...argv.slice(end)], quiet: kept.length !== head.length };
}

/**
 * Parses argv and runs the command it names; every failure becomes one line on stderr and an
 * exit code. src/main.ts calls it for the real process; tests call it in-process.
 */
export async function runProgram(argv: readonly string[]): Promise<number> {
  // --quiet may follow any command (`simulate x --quiet`), so it is taken out before commander sees it.
  const quietAt = withoutQuiet(argv);
  requestQuiet(quietAt.quiet);
  // The one-shot commands' usual command lines skip loading commander and building the program.
  const fast = fastAction(quietAt.argv);
  if (fast) return exitCodeOf(fast);
  const commander = await import("commander");
  const { buildProgram, checkHelpTopic } = await import("../cli.js");
  const program = buildProgram();
  // Commander has already printed its own message; help and --version are not failures.
  const commanderExit = (error: unknown) => (error instanceof commander.CommanderError ? (error.exitCode === 0 ? 0 : 2) : undefined);
  return exitCodeOf(async () => {
    checkHelpTopic(program, quietAt.argv.slice(2));
    await program.parseAsync(quietAt.argv);
  }, commanderExit);
}

/**
 * Runs a parsed command and gives its exit code: every failure becomes one line on stderr.
 * `exitCodeFor` answers for failures its parser has already reported (commander's).
 */
export async function exitCodeOf(work: () => Promise<void>, exitCodeFor?: (error: unknown) => number | undefined): Promise<number> {
  try {
    await prepareColors();
    await work();
    return typeof process.exitCode === "number" ? process.exitCode : 0;
  } catch (error) {
    const reported = exitCodeFor?.(error);
    if (reported !== undefined) return reported;
    // The wording (and every domain error class it knows) is loaded only when something failed.
    const { wordError } = await import("./word-error.js");
    const worded = wordError(error);
    if (worded) {
      // Ctrl+C is the user's choice, and a reader that quit is the reader's: neither is a failure, said
      // as process-hooks says them, without "error:".
      const message = redactUrlsIn(worded.message);
      process.stderr.write(worded.exitCode === 130 || worded.exitCode === 141 ? `${message}\n` : `error: ${message}\n`);
      return worded.exitCode;
    }
    const message = error instanceof Error ? error.message : String(error);
    process.stderr.write(`error: unexpected failure: ${redactUrlsIn(message)}\n`);
    const { terminalSettings } = await import("../config.js");
    if (terminalSettings().debug && error instanceof Error && error.stack) {
      process.stderr.write(`${error.stack}\n`);
    } else {
      process.stderr.write("(run with PINWHEEL_DEBUG=1 for details, and report it if it persists)\n");
    }
    return 1;
  }
}
