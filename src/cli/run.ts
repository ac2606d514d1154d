import { CommanderError } from "commander";
import { buildProgram } from "../cli.js";
import { isCliError } from "../errors.js";
import { redactUrlsIn } from "../redact-url.js";

/**
 * Parses argv and runs the command it names; every failure becomes one line on stderr and an
 * exit code. src/main.ts calls it for the real process; tests call it in-process.
 */
export async function runProgram(argv: readonly string[]): Promise<number> {
  const program = buildProgram();
  try {
    await program.parseAsync([...argv]);
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
    const { terminalSettings } = await import("../config.js");
    if (terminalSettings().debug && error instanceof Error && error.stack) {
      process.stderr.write(`${error.stack}\n`);
    } else {
      process.stderr.write("(run with PINWHEEL_DEBUG=1 for details, and report it if it persists)\n");
    }
    return 1;
  }
}
