import { fastAction } from "./fast.js";
import { installProcessHooks } from "./process-hooks.js";
import { quickAnswer } from "./quick-answer.js";
import { exitCodeOf, withoutQuiet } from "./run.js";
import { requestQuiet } from "../quiet.js";

/**
 * The entry of the fast commands' CommonJS bundle (scripts/bundle-fast.js, dist/fast/start.cjs),
 * which bin/pinwheel-cli.cjs requires first; it answers --version and --help too. A one-shot
 * command run from CommonJS chunks skips the ES module loader and the resolution, reading and
 * linking of some fifty modules: about a fifth of its CPU time. Returns false, having run
 * nothing, when argv needs the whole program (src/main.ts): the bundle's copies of stateful
 * modules (quiet, interrupt) must not be mixed with the program's.
 */
export function startFast(argv: readonly string[]): boolean {
  const answer = quickAnswer(argv);
  if (answer !== undefined) {
    process.stdout.write(answer);
    return true;
  }
  const quietAt = withoutQuiet(argv);
  const action = fastAction(quietAt.argv);
  if (!action) return false;
  installProcessHooks();
  requestQuiet(quietAt.quiet);
  void exitCodeOf(action).then((code) => {
    process.exitCode = code;
  });
  return true;
}
