import { installProcessHooks } from "./cli/process-hooks.js";
import { quickAnswer } from "./cli/quick-answer.js";

/** The single exit point: every failure becomes one line on stderr and an exit code. */
async function main(argv: readonly string[]): Promise<number> {
  const answer = quickAnswer(argv);
  if (answer !== undefined) {
    process.stdout.write(answer);
    return 0;
  }
  const { runProgram } = await import("./cli/run.js");
  return runProgram(argv);
}

installProcessHooks();
process.exitCode = await main(process.argv);
