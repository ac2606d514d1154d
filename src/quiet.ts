/**
 * Whether this run was asked for --quiet. Set by cli/run.ts before any command runs, apart from
 * config.ts so that parsing the command line does not load the config reader (and zod).
 */
let quiet = false;

/** runProgram() says whether the command line carries --quiet or -q, wherever it stands. */
export function requestQuiet(value = true): void {
  quiet = value;
}

export function quietRequested(): boolean {
  return quiet;
}
