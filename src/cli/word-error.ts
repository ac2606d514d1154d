import { isReplayError } from "../delivery/replay-error.js";
import { isCliError, type ExitCode } from "../errors.js";
import { currentInstaller, driverAdvice, type Installer } from "./installer.js";
import { describeOverride, isOverrideError, type OverrideOp } from "../events/override-error.js";
import { isScenarioError } from "../events/scenario-error.js";
import { isTargetError, type SettingOrigin, type TargetError, type TargetSetting } from "../registry/target-error.js";
import { isMissingRequestError } from "../store/missing-request.js";
import { isOutcomeConflictError } from "../sandbox/errors.js";
import { isStoreError, type StoreError } from "../store/store-error.js";
import { isSubjectError } from "../verify/subject-error.js";
import { redactTypedUrl } from "../redact-url.js";
import { didYouMeanOrUse } from "../suggest.js";

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
function storeAdvice(error: StoreError, installer: Installer): string {
  switch (error.kind) {
    case "not_a_database":
      return "; move it aside or pass --db <path>";
    case "locked":
      return "; try again, or pass --db <path>";
    case "unwritable":
      return "; pass --db <path> or set PINWHEEL_CLI_DB";
    case "cannot_open":
      // A directory, a path through a file, no permission: the path is what to fix.
      return "; check the path, or pass --db <path> (or set PINWHEEL_CLI_DB)";
    case "driver_unavailable":
      // Each package manager allows a dependency's build script its own way: say the one that installed it.
      return `; ${driverAdvice(installer, error.addon)}`;
    default:
      return "";
  }
}

const SETTING_NAMES: Record<TargetSetting, { flag: string; variable: string }> = {
  env: { flag: "--env", variable: "PINWHEEL_ENV" },
  "base-url": { flag: "--base-url", variable: "PINWHEEL_BASE_URL" },
  "api-version": { flag: "--api-version", variable: "PINWHEEL_API_VERSION" },
  db: { flag: "--db", variable: "PINWHEEL_CLI_DB" },
};

/** "--env", "PINWHEEL_ENV" or "env in the config file": where the user set it. */
function settingName(origin: SettingOrigin): string {
  const names = SETTING_NAMES[origin.setting];
  if (origin.source === "flag") return names.flag;
  if (origin.source === "env") return names.variable;
  return `${origin.setting} in the config file`;
}

function describeTarget({ data }: TargetError): string {
  switch (data.kind) {
    case "env_and_base_url":
      return "pass either --env or --base-url, not both";
    case "not_an_environment":
    case "not_a_version":
      return `${settingName(data.origin)}: "${data.origin.value}" is not ${data.kind === "not_an_environment" ? "an environment" : "a Pinwheel-Version"}; ${didYouMeanOrUse(data.origin.value, data.allowed)}`;
    case "not_an_http_url":
      return `${settingName(data.origin)}: "${redactTypedUrl(data.origin.value)}" is not an http(s) URL`;
    case "db_beside_api":
      return `--db is where the local registry (--env local) keeps webhooks, but these go to ${data.because ? settingName(data.because) : data.api}; drop --db`;
    case "no_secret":
      return `no API secret for Pinwheel ${data.environment}: pass --secret, set PINWHEEL_API_SECRET, or run "pinwheel-cli config set api-secret"`;
  }
}

/**
 * SQLite's own error from the middle of a command: the store opened and migrated, then a page it
 * read or wrote failed. Its code says what happened to the file; the file is the command's store.
 */
function wordSqliteError(error: unknown): WordedError | undefined {
  if (!(error instanceof Error) || error.name !== "SqliteError") return undefined;
  const code = (error as { code?: unknown }).code;
  if (typeof code !== "string") return undefined;
  const said = `${error.message}, ${code}`;
  if (code.startsWith("SQLITE_CORRUPT") || code === "SQLITE_NOTADB") {
    return { message: `the event database is damaged (${said}); move it aside or pass --db <path>`, exitCode: 1 };
  }
  if (code.startsWith("SQLITE_FULL")) return { message: `the event database could not grow (${said}): is the disk full?`, exitCode: 1 };
  if (code.startsWith("SQLITE_BUSY") || code.startsWith("SQLITE_LOCKED")) {
    return { message: `the event database is locked by another process (${said}); try again, or pass --db <path>`, exitCode: 1 };
  }
  if (code.startsWith("SQLITE_READONLY") || code.startsWith("SQLITE_IOERR")) {
    return { message: `cannot write the event database (${said}); pass --db <path> or set PINWHEEL_CLI_DB`, exitCode: 1 };
  }
  return undefined;
}

/**
 * The one place the CLI words the core's errors in its own flags. A mistake in what the user typed
 * (an override, a scenario) exits 2; work that failed (a database, an unreadable file) exits 1.
 * Undefined for an error nobody expected: the caller reports it as an unexpected failure. The
 * installer (by default, this process's) words what to do about an unusable SQLite driver.
 */
export function wordError(error: unknown, installer?: Installer): WordedError | undefined {
  if (isCliError(error)) return { message: error.message, exitCode: error.exitCode };
  if (isOverrideError(error)) {
    const other = error.reason === "envelope_field" ? "; to send any other body, pass it byte for byte with --data <file>" : "";
    return { message: `${describeOverride(error, (op) => FLAG_OF[op])}${other}`, exitCode: 2 };
  }
  if (isScenarioError(error)) {
    // A file of the user's that is no scenario: a valid one shows the format to fix it by.
    const ownFile = (error.kind === "invalid" || error.kind === "not_json") && /[\\/]|\.json$/.test(error.scenario);
    const example = ownFile ? '; "pinwheel-cli scenarios show at-least-once --json" prints a valid scenario to compare with' : "";
    return { message: `${error.message}${example}`, exitCode: error.kind === "unreadable" ? 1 : 2 };
  }
  if (isTargetError(error)) return { message: describeTarget(error), exitCode: 2 };
  if (isStoreError(error)) return { message: `${error.message}${storeAdvice(error, installer ?? currentInstaller())}`, exitCode: 1 };
  if (isMissingRequestError(error)) return { message: `${error.message}; see "pinwheel-cli events list"`, exitCode: 1 };
  if (isReplayError(error)) {
    if (error.data.kind === "body_truncated") return { message: error.message, exitCode: 1 };
    const include = error.data.kind === "unverified" ? "--include-unverified" : "--include-rejected";
    return { message: `${error.message}. Pass ${include} to send it anyway, or --as-recorded to send its original headers`, exitCode: 2 };
  }
  if (isOutcomeConflictError(error)) return { message: `--fail and --pending both name ${error.job}; a job is pending then settles, or it fails`, exitCode: 2 };
  if (isSubjectError(error)) return error.data.kind === "unreadable_now" ? { message: `--now ${error.message}`, exitCode: 2 } : { message: error.message, exitCode: 1 };
  return wordSqliteError(error);
}
