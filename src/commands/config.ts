import { statSync } from "node:fs";
import { readStdin } from "../cli/inputs.js";
import { join, resolve } from "node:path";
import {
  CONFIG_ENV_VARS,
  CONFIG_KEYS,
  ConfigFileError,
  DEFAULT_DEV_SECRET,
  DEFAULT_TARGET_URL,
  isConfigKey,
  resolvePaths,
  resolveSetting,
  setConfigValue,
  unsetConfigValue,
  type ConfigKey,
} from "../config.js";
import { DEFAULT_ENVIRONMENT, ENVIRONMENTS, isEnvironment, isPinwheelVersion, NEWEST_VERSION, PINWHEEL_VERSIONS } from "../api/environments.js";
import { withLoopbackScheme } from "../loopback.js";
import { redactTypedUrl, redactUrl } from "../redact-url.js";
import { CliError, usageError } from "../errors.js";
import { printConfigTable } from "../output/config.js";
import { createOutput, type Output } from "../output/index.js";
import { promptSecret } from "../output/prompts.js";
import { didYouMean, didYouMeanOrUse } from "../suggest.js";

interface JsonOption {
  json?: boolean;
}

type Source = "flag" | "env" | "config" | "default" | "unset";

interface Effective {
  key: ConfigKey;
  value: string | null;
  source: Source;
}

const SECRET_KEYS: ReadonlySet<ConfigKey> = new Set(["api-secret"]);
/** Keys whose value is a URL: a password in it is sent, never shown. */
const URL_KEYS: ReadonlySet<ConfigKey> = new Set(["base-url", "default-url"]);

/** Enough to tell two secrets apart, never enough to use one. */
export function maskSecret(secret: string): string {
  return secret.length >= 16 ? `****${secret.slice(-4)}` : "****";
}

function shown(key: ConfigKey, value: string): string;
function shown(key: ConfigKey, value: string | null): string | null;
function shown(key: ConfigKey, value: string | null): string | null {
  if (value === null) return value;
  if (SECRET_KEYS.has(key)) return maskSecret(value);
  return URL_KEYS.has(key) ? redactUrl(value) : value;
}

function keyOrUsageError(key: string): ConfigKey {
  if (isConfigKey(key)) return key;
  const hint = didYouMean(key, CONFIG_KEYS);
  throw usageError(`unknown config key "${key}"; ${hint || `use one of ${CONFIG_KEYS.join(", ")}`}`);
}

function httpUrlOrUsageError(key: ConfigKey, typed: string): string {
  const value = withLoopbackScheme(typed);
  try {
    const url = new URL(value);
    if (url.protocol === "http:" || url.protocol === "https:") return value;
  } catch {
    // reported below
  }
  throw usageError(`${key}: "${redactTypedUrl(value)}" is not an http(s) URL, e.g. http://127.0.0.1:4010`);
}

/** Checks (and normalises) a value before it is stored, so a typo fails now rather than on the next command. */
function checkedValue(key: ConfigKey, value: string): string {
  if (value.trim() === "") throw usageError(`${key}: the value cannot be empty; "pinwheel-cli config unset ${key}" goes back to the default`);
  switch (key) {
    case "env":
      if (!isEnvironment(value)) throw usageError(`env: "${value}" is not an environment; ${didYouMeanOrUse(value, ENVIRONMENTS)}`);
      return value;
    case "api-version":
      if (!isPinwheelVersion(value)) throw usageError(`api-version: "${value}" is not a Pinwheel-Version; ${didYouMeanOrUse(value, PINWHEEL_VERSIONS)}`);
      return value;
    case "base-url":
    case "default-url":
      return httpUrlOrUsageError(key, value);
    case "db": {
      // Stored absolute: the config applies from any directory.
      const path = resolve(value);
      if (statSync(path, { throwIfNoEntry: false })?.isDirectory()) {
        throw usageError(`db: ${path} is a directory; give a file path such as ${join(path, "events.db")}`);
      }
      return path;
    }
    case "api-secret":
    case "end-user-id":
      // As --secret refuses it: piped from a file, a value can carry what no secret or id holds.
      // eslint-disable-next-line no-control-regex -- control characters are what this looks for
      if (/[\x00-\x1f\x7f]/.test(value.trim())) throw usageError(`${key} contains a line break or another control character; was it read from the wrong file?`);
      return value.trim();
  }
}

function defaultOf(key: ConfigKey): string | null {
  switch (key) {
    case "api-secret":
      return DEFAULT_DEV_SECRET;
    case "env":
      return DEFAULT_ENVIRONMENT;
    case "api-version":
      return NEWEST_VERSION;
    case "default-url":
      return DEFAULT_TARGET_URL;
    case "db":
      return resolvePaths().defaultDb;
    case "base-url":
    case "end-user-id":
      return null;
  }
}

function effective(key: ConfigKey): Effective {
  const setting = resolveSetting(key, undefined);
  if (setting) return { key, value: setting.value, source: setting.source };
  const fallback = defaultOf(key);
  return { key, value: fallback, source: fallback === null ? "unset" : "default" };
}

function sourceText(entry: Effective): string {
  if (entry.source === "env") return CONFIG_ENV_VARS[entry.key] ?? "environment";
  if (entry.source === "config") return "config file";
  if (entry.source === "default") return "default";
  return "not set";
}

function entryJson(entry: Effective): Record<string, unknown> {
  return { key: entry.key, value: shown(entry.key, entry.value), source: entry.source, env_var: CONFIG_ENV_VARS[entry.key] ?? null };
}

function configFailure(error: unknown): unknown {
  return error instanceof ConfigFileError ? new CliError(error.message) : error;
}

/** A setting is a secret, an id, a URL or a path: far less than this. */
const MAX_CONFIG_VALUE_BYTES = 64 * 1024;

async function readStdinValue(): Promise<string> {
  let text: string;
  try {
    text = (await readStdin(MAX_CONFIG_VALUE_BYTES)).toString("utf8");
  } catch (error) {
    throw new CliError(`cannot read the value from stdin (${(error as Error).message})`);
  }
  return text.replace(/\r?\n$/, "");
}

export async function set(keyArg: string, valueArg: string | undefined, options: JsonOption): Promise<void> {
  const out = createOutput({ json: options.json });
  const key = keyOrUsageError(keyArg);
  let raw = valueArg;
  if (raw === "-") raw = await readStdinValue();
  if (raw === undefined) {
    if (!SECRET_KEYS.has(key)) throw usageError(`missing value: pinwheel-cli config set ${key} <value>`);
    // A secret typed on the command line stays in the shell history: ask for it hidden instead.
    raw = await promptSecret('secret: pass it, or "-" to read it from stdin', { message: "Pinwheel API secret" });
  }
  const value = checkedValue(key, raw);
  const { configFile } = resolvePaths();
  try {
    setConfigValue(key, value);
  } catch (error) {
    throw configFailure(error);
  }
  if (out.json) return out.data({ key, value: shown(key, value), file: configFile });
  out.line(`Set ${key} = ${shown(key, value)} in ${configFile}`);
  warnIfOverridden(out, key);
}

function warnIfOverridden(out: Output, key: ConfigKey): void {
  const variable = CONFIG_ENV_VARS[key];
  if (resolveSetting(key, undefined)?.source === "env" && variable) {
    out.warn(`${variable} is set and takes precedence over the config file`);
  }
}

/**
 * A value from the environment or the file that other commands refuse: config shows it as it is
 * (finding where a value comes from is what get and list are for) and says what is wrong with it.
 */
function warnIfRefused(out: Output, entry: Effective): void {
  if (entry.value === null || (entry.source !== "env" && entry.source !== "config")) return;
  try {
    checkedValue(entry.key, entry.value);
  } catch (error) {
    if (error instanceof CliError) out.warn(`${error.message} (from ${sourceText(entry)}); commands that use it refuse it`);
  }
}

export async function get(keyArg: string, options: JsonOption): Promise<void> {
  const out = createOutput({ json: options.json });
  const entry = effective(keyOrUsageError(keyArg));
  warnIfRefused(out, entry);
  if (out.json) return out.data(entryJson(entry));
  if (entry.value === null) {
    out.notice(`${entry.key} is not set`);
    return;
  }
  out.line(shown(entry.key, entry.value));
  out.notice(`(from ${sourceText(entry)})`);
}

export async function list(options: JsonOption): Promise<void> {
  const out = createOutput({ json: options.json });
  const entries = CONFIG_KEYS.map(effective);
  for (const entry of entries) warnIfRefused(out, entry);
  if (out.json) return out.data(entries.map(entryJson));
  out.notice(`Config file: ${resolvePaths().configFile}`);
  out.notice("Precedence: flags > environment variables > config file > defaults");
  printConfigTable(out, entries.map((entry) => ({ key: entry.key, value: shown(entry.key, entry.value), from: sourceText(entry) })));
}

export async function unset(keyArg: string, options: JsonOption): Promise<void> {
  const out = createOutput({ json: options.json });
  const key = keyOrUsageError(keyArg);
  const { configFile } = resolvePaths();
  let removed: boolean;
  try {
    removed = unsetConfigValue(key);
  } catch (error) {
    throw configFailure(error);
  }
  if (out.json) return out.data({ key, removed, file: configFile });
  if (removed) out.line(`Removed ${key} from ${configFile}`);
  else out.notice(`${key} was not set in ${configFile}`);
}
