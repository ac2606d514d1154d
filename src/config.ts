import { chmodSync, readFileSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { homedir } from "node:os";
import { delimiter, join } from "node:path";
import { CliError, usageError } from "./errors.js";
import { makeDirectory } from "./make-directory.js";
import { didYouMean } from "./suggest.js";
import { CONFIG_KEYS, type ConfigKey } from "./config-keys.js";
import { quietRequested } from "./quiet.js";

export { CONFIG_KEYS, type ConfigKey };

/**
 * The only module that reads process.env. Everything else receives what it needs from here,
 * so tests can point every file at a temp dir with PINWHEEL_HOME.
 */

export const DEFAULT_DEV_SECRET = "pinwheel-cli-local-dev-secret";
export const DEFAULT_PORT = 3000;
export const DEFAULT_HOST = "127.0.0.1";
export const DEFAULT_TARGET_URL = `http://${DEFAULT_HOST}:${DEFAULT_PORT}/`;

type Env = Record<string, string | undefined>;

export interface Paths {
  dataDir: string;
  configDir: string;
  configFile: string;
  defaultDb: string;
}

export function resolvePaths(env: Env = process.env): Paths {
  const home = env.PINWHEEL_HOME;
  const dataDir = home
    ? join(home, "data")
    : join(env.XDG_DATA_HOME || join(homedir(), ".local", "share"), "pinwheel-cli");
  const configDir = home
    ? join(home, "config")
    : join(env.XDG_CONFIG_HOME || join(homedir(), ".config"), "pinwheel-cli");
  return {
    dataDir,
    configDir,
    configFile: join(configDir, "config.json"),
    defaultDb: join(dataDir, "events.db"),
  };
}

export type ConfigFile = Partial<Record<ConfigKey, string>>;

/** The config file exists but cannot be used: reading on would run on defaults the user did not choose, and writing would lose what is there. */
export class ConfigFileError extends CliError {
  constructor(message: string) {
    super(message, 1);
    this.name = "ConfigFileError";
  }
}

function kindOf(value: unknown): string {
  if (value === null) return "null";
  if (Array.isArray(value)) return "an array";
  return typeof value === "object" ? "an object" : `a ${typeof value}`;
}

/** The file as a JSON object (no file is an empty one); anything else is an error naming the file. */
function readConfigObject(file: string): Record<string, unknown> {
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch (error) {
    if ((error as { code?: string }).code === "ENOENT") return {};
    throw new ConfigFileError(`cannot read ${file}: ${(error as Error).message}`);
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    parsed = undefined;
  }
  if (!parsed || typeof parsed !== "object" || Array.isArray(parsed)) {
    throw new ConfigFileError(`${file} is not a JSON object; fix it or delete it, then try again`);
  }
  return parsed as Record<string, unknown>;
}

/**
 * The one reader of the config file, for every command: no file is an empty config; a file that
 * is not JSON, or has a key this version does not know or a value that is not a string, is one
 * error naming the file and the key.
 */
export function readConfigFile(paths: Paths = resolvePaths()): ConfigFile {
  const file = paths.configFile;
  return checkedConfig(readConfigObject(file), file);
}

/**
 * Every known key a string; a key this version does not know is refused (a typo would be silently
 * ignored). A hand-written check of seven keys, not a schema library: every command reads the
 * config, and loading zod cost a one-shot command more CPU than the rest of its work.
 * The first bad value (in CONFIG_KEYS order) is reported before the first unknown key.
 */
function checkedConfig(parsed: Record<string, unknown>, file: string): ConfigFile {
  const config: ConfigFile = {};
  for (const key of CONFIG_KEYS) {
    if (!Object.hasOwn(parsed, key)) continue;
    const value = parsed[key];
    if (value === undefined) continue;
    if (typeof value !== "string") {
      throw new ConfigFileError(
        `${file}: "${key}" must be a string, not ${kindOf(value)}; fix the file, or run "pinwheel-cli config set ${key} <value>"`,
      );
    }
    config[key] = value;
  }
  const unknown = Object.keys(parsed).find((key) => !isConfigKey(key));
  if (unknown !== undefined) {
    const hint = didYouMean(unknown, CONFIG_KEYS);
    throw new ConfigFileError(`${file}: unknown key "${unknown}"; ${hint || `the keys are ${CONFIG_KEYS.join(", ")}`} (fix the file or delete the key)`);
  }
  return config;
}

export type SecretSource = "flag" | "env" | "config" | "default";
export interface ResolvedSecret {
  secret: string;
  source: SecretSource;
}

export const SECRET_SOURCE_LABELS: Record<SecretSource, string> = {
  flag: "--secret",
  env: "PINWHEEL_API_SECRET",
  config: "the config file (config set api-secret)",
  default: "the built-in local development secret",
};

/** The secret in use, as a signature diagnosis names it ("The signature matches ..., not the secret from --secret"). */
export const USED_SECRET_LABELS: Record<SecretSource, string> = {
  flag: "the secret from --secret",
  env: "the secret from PINWHEEL_API_SECRET",
  config: "the config file's api-secret",
  default: "pinwheel-cli's built-in local development secret",
};

/**
 * Every secret this developer has set up, by where it is (PINWHEEL_API_SECRET, the config file,
 * the built-in one), for verify's "signed with another one" (verify/diagnose-subject.ts).
 */
export function developerSecrets(): { label: string; secret: string }[] {
  const paths = resolvePaths();
  const secrets: { label: string; secret: string }[] = [];
  // An empty PINWHEEL_API_SECRET is refused where it would be used; here it is just not a candidate.
  const environment = (() => {
    try {
      return resolveSecret(undefined);
    } catch {
      return undefined;
    }
  })();
  if (environment?.source === "env") secrets.push({ label: "the secret in PINWHEEL_API_SECRET", secret: environment.secret });
  const configured = readConfigFile(paths)["api-secret"];
  if (configured) secrets.push({ label: `the api-secret in the config file (${paths.configFile})`, secret: configured });
  secrets.push({ label: "pinwheel-cli's built-in development secret, used when it is given none", secret: DEFAULT_DEV_SECRET });
  return secrets;
}

/** Precedence: flag > environment > config file > the local development secret. */
export function resolveSecret(flag: string | undefined, env: Env = process.env): ResolvedSecret {
  if (flag !== undefined && flag !== "") return { secret: flag, source: "flag" };
  if (env.PINWHEEL_API_SECRET !== undefined && env.PINWHEEL_API_SECRET.trim() === "") {
    // What CI passes when the repository secret it names does not exist: signing with the built-in one would hide that.
    throw usageError("PINWHEEL_API_SECRET is set but empty (a missing CI secret?); set it to your API secret, or unset it");
  }
  if (env.PINWHEEL_API_SECRET) return { secret: env.PINWHEEL_API_SECRET, source: "env" };
  const fromFile = readConfigFile(resolvePaths(env))["api-secret"];
  if (fromFile) return { secret: fromFile, source: "config" };
  return { secret: DEFAULT_DEV_SECRET, source: "default" };
}

/** Precedence: flag > PINWHEEL_CLI_DB > config file > the data directory. */
export function resolveDbPath(flag: string | undefined, env: Env = process.env): string {
  if (flag) return flag;
  if (env.PINWHEEL_CLI_DB) return env.PINWHEEL_CLI_DB;
  const paths = resolvePaths(env);
  return readConfigFile(paths).db || paths.defaultDb;
}

export function resolveDefaultTarget(env: Env = process.env): string {
  return readConfigFile(resolvePaths(env))["default-url"] || DEFAULT_TARGET_URL;
}

export interface TerminalSettings {
  /** Colours only on a TTY, and never under NO_COLOR (https://no-color.org) or TERM=dumb. */
  color: boolean;
  stdoutIsTty: boolean;
  stderrIsTty: boolean;
  stdinIsTty: boolean;
  ci: boolean;
  debug: boolean;
  /** --quiet: no notices (errors, warnings and data still print). */
  quiet?: boolean;
}


export function terminalSettings(env: Env = process.env): TerminalSettings {
  const stderrIsTty = Boolean(process.stderr.isTTY);
  const stdoutIsTty = Boolean(process.stdout.isTTY);
  const forced = env.FORCE_COLOR !== undefined && env.FORCE_COLOR !== "0";
  const disabled = env.NO_COLOR !== undefined && env.NO_COLOR !== "";
  return {
    color: !disabled && (forced || (stdoutIsTty && env.TERM !== "dumb")),
    stdoutIsTty,
    stderrIsTty,
    // Read when a prompt asks: the first touch of process.stdin builds its stream (a socket for a
    // pipe), a cost every one-shot command would pay for nothing.
    get stdinIsTty() {
      return Boolean(process.stdin.isTTY);
    },
    // CI=false (or 0) is how some setups say "not CI": only a value that says yes counts.
    ci: env.CI !== undefined && !/^(|0|false|no)$/i.test(env.CI.trim()),
    debug: Boolean(env.PINWHEEL_DEBUG),
    quiet: quietRequested(),
  };
}

/** The environment variable that overrides each config key (default-url has none). */
export const CONFIG_ENV_VARS: Record<ConfigKey, string | undefined> = {
  "api-secret": "PINWHEEL_API_SECRET",
  env: "PINWHEEL_ENV",
  "base-url": "PINWHEEL_BASE_URL",
  "api-version": "PINWHEEL_API_VERSION",
  "default-url": undefined,
  db: "PINWHEEL_CLI_DB",
  "end-user-id": undefined,
};

export function isConfigKey(value: string): value is ConfigKey {
  return (CONFIG_KEYS as readonly string[]).includes(value);
}

export type SettingSource = "flag" | "env" | "config";
export interface ResolvedSetting {
  value: string;
  source: SettingSource;
}

/** Precedence: flag > environment variable > config file; undefined when none sets it, so the caller's default applies. */
export function resolveSetting(key: ConfigKey, flag: string | undefined, env: Env = process.env): ResolvedSetting | undefined {
  if (flag !== undefined && flag !== "") return { value: flag, source: "flag" };
  const variable = CONFIG_ENV_VARS[key];
  const fromEnv = variable === undefined ? undefined : env[variable];
  if (fromEnv) return { value: fromEnv, source: "env" };
  const fromFile = readConfigFile(resolvePaths(env))[key];
  if (typeof fromFile === "string" && fromFile !== "") return { value: fromFile, source: "config" };
  return undefined;
}

/**
 * Writes the whole config file: directory 0700, file 0600 (it may hold the API secret), through a
 * temporary file and a rename so a crash never leaves half a file. An existing file is chmod-ed too.
 */
export function writeConfigFile(config: Record<string, unknown>, paths: Paths = resolvePaths()): void {
  try {
    makeDirectory(paths.configDir, 0o700);
    chmodSync(paths.configDir, 0o700);
  } catch (error) {
    throw new ConfigFileError(`cannot create ${paths.configDir}: ${(error as Error).message} (check PINWHEEL_HOME)`);
  }
  const temporary = `${paths.configFile}.${process.pid}.tmp`;
  try {
    writeFileSync(temporary, `${JSON.stringify(config, null, 2)}\n`, { mode: 0o600 });
    chmodSync(temporary, 0o600);
    renameSync(temporary, paths.configFile);
  } catch (error) {
    rmSync(temporary, { force: true });
    throw error;
  }
  chmodSync(paths.configFile, 0o600);
}

export function setConfigValue(key: ConfigKey, value: string, paths: Paths = resolvePaths()): void {
  // Setting a key is also how a bad value of it is repaired: the rest of the file is kept as it is.
  writeConfigFile({ ...readConfigObject(paths.configFile), [key]: value }, paths);
}

/** Removes a key from the config file; false when it was not there. */
export function unsetConfigValue(key: ConfigKey, paths: Paths = resolvePaths()): boolean {
  const config = readConfigObject(paths.configFile);
  if (!(key in config)) return false;
  delete config[key];
  writeConfigFile(config, paths);
  return true;
}

/**
 * The package manager that started this process, as it names itself ("pnpm/10.34.9 npm/? node/v20.20.2
 * linux x64"): npm, pnpm, Yarn and bun set npm_config_user_agent for what they run. Undefined when
 * the program was started directly (node_modules/.bin/pinwheel-cli, a global install on PATH).
 */
export function packageManagerAgent(env: Env = process.env): string | undefined {
  return env.npm_config_user_agent || undefined;
}

/** The directories PATH names, in order, for finding programs listen starts (cloudflared, ngrok). */
export function executableSearchPath(env: Env = process.env): string[] {
  return (env.PATH ?? "").split(delimiter).filter(Boolean);
}
