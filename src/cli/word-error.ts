import { isCliError, type ExitCode } from "../errors.js";
import { describeOverride, isOverrideError, type OverrideOp } from "../events/override-error.js";
import { isScenarioError } from "../events/scenario-error.js";
import { isStoreError, type StoreError } from "../store/store-error.js";

/** An error as the command line says it: one line, and the exit code it promises. */
export interface WordedError {
  message: string;
  exitCode: ExitCode;
}

/** The flag each event override comes from (simulate's). */
const FLAG_OF: Record<OverrideOp, string> = {
  set: "--set",
  add: "--add",
  unset: "--unset",
  outcome: "--outcome",
  accountId: "--account-id",
  endUserId: "--end-user-id",
};

/** What to do about a database the CLI cannot use: another file is one flag away. */
function storeAdvice(error: StoreError): string {
  switch (error.kind) {
    case "not_a_database":
      return "; move it aside or pass --db <path>";
    case "locked":
      return "; try again, or pass --db <path>";
    case "unwritable":
      return "; pass --db <path> or set PINWHEEL_CLI_DB";
    default:
      return "";
  }
}

/**
 * The one place the CLI words the core's errors in its own flags. A mistake in what the user typed
 * (an override, a scenario) exits 2; work that failed (a database, an unreadable file) exits 1.
 * Undefined for an error nobody expected: the caller reports it as an unexpected failure.
 */
export function wordError(error: unknown): WordedError | undefined {
  if (isCliError(error)) return { message: error.message, exitCode: error.exitCode };
  if (isOverrideError(error)) return { message: describeOverride(error, (op) => FLAG_OF[op]), exitCode: 2 };
  if (isScenarioError(error)) return { message: error.message, exitCode: error.kind === "unreadable" ? 1 : 2 };
  if (isStoreError(error)) return { message: `${error.message}${storeAdvice(error)}`, exitCode: 1 };
  return undefined;
}
