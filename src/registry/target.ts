import { resolveDbPath, resolveSecret, resolveSetting, type ResolvedSecret, type ResolvedSetting, type SettingSource } from "../config.js";
import { ENVIRONMENT_BASE_URLS, DEFAULT_ENVIRONMENT, ENVIRONMENTS, isEnvironment, isPinwheelVersion, NEWEST_VERSION, PINWHEEL_VERSIONS, type Environment } from "../api/environments.js";
import type { WebhooksApi } from "../api/types.js";
import { usageError } from "../errors.js";
import type { LocalRegistry } from "./local.js";
import { isLoopbackHost } from "../loopback.js";

/** The options every `webhooks` subcommand takes to choose where the webhooks live. */
export interface TargetOptions {
  env?: string;
  baseUrl?: string;
  secret?: string;
  apiVersion?: string;
  timeout: number;
  db?: string;
  json?: boolean;
}

interface TargetCommon {
  /** For messages: "the local registry (path)", "Pinwheel sandbox (https://...)", "http://127.0.0.1:4010". */
  label: string;
  environment: Environment | undefined;
  /** Where the stand-in runs, http:// webhook URLs on localhost are fine; Pinwheel wants https://. */
  allowLoopbackHttp: boolean;
  apiVersion: string;
  secret: ResolvedSecret;
}

/** An HTTP API has a base URL; the embedded registry has a database file. */
export type Target = TargetCommon &
  ({ kind: "http"; baseUrl: string; dbPath: undefined } | { kind: "local"; baseUrl: undefined; dbPath: string });

const SOURCE_RANK: Record<SettingSource, number> = { flag: 0, env: 1, config: 2 };
const SETTING_LABELS: Record<SettingSource, (flag: string, variable: string, key: string) => string> = {
  flag: (flag) => flag,
  env: (_flag, variable) => variable,
  config: (_flag, _variable, key) => `${key} in the config file`,
};

function where(setting: ResolvedSetting, flag: string, variable: string, key: string): string {
  return SETTING_LABELS[setting.source](flag, variable, key);
}

/** --db is the embedded registry's file: beside an HTTP API, which keeps its own webhooks, it would be ignored. */
function refuseDbFlag(options: TargetOptions, api: string): void {
  if (options.db !== undefined) {
    throw usageError(`--db is where the local registry (--env local) keeps webhooks, but these go to ${api}; drop --db`);
  }
}

/** Flags > environment variables > config file > defaults, for env, base-url, api-version and the secret. */
export function resolveTarget(options: TargetOptions): Target {
  if (options.env !== undefined && options.baseUrl !== undefined) {
    throw usageError("pass either --env or --base-url, not both");
  }
  const env = resolveSetting("env", options.env);
  if (env && !isEnvironment(env.value)) {
    throw usageError(`${where(env, "--env", "PINWHEEL_ENV", "env")}: "${env.value}" is not an environment; use ${ENVIRONMENTS.join(", ")}`);
  }
  const base = resolveSetting("base-url", options.baseUrl);
  if (base && !/^https?:\/\/[^/]/.test(base.value)) {
    throw usageError(`${where(base, "--base-url", "PINWHEEL_BASE_URL", "base-url")}: "${base.value}" is not an http(s) URL`);
  }

  const version = resolveSetting("api-version", options.apiVersion);
  if (version && !isPinwheelVersion(version.value)) {
    throw usageError(
      `${where(version, "--api-version", "PINWHEEL_API_VERSION", "api-version")}: "${version.value}" is not a Pinwheel-Version; use ${PINWHEEL_VERSIONS.join(", ")}`,
    );
  }
  const apiVersion = version?.value ?? NEWEST_VERSION;
  const secret = resolveSecret(options.secret);

  // A base URL wins over an environment set at the same level or below it: --base-url beats a
  // configured env, but --env beats a configured base-url.
  if (base && (!env || SOURCE_RANK[base.source] <= SOURCE_RANK[env.source])) {
    refuseDbFlag(options, where(base, "--base-url", "PINWHEEL_BASE_URL", "base-url"));
    const url = new URL(base.value);
    return {
      kind: "http",
      label: url.origin,
      baseUrl: base.value,
      environment: undefined,
      allowLoopbackHttp: isLoopbackHost(url.hostname),
      apiVersion,
      secret,
      dbPath: undefined,
    };
  }
  const environment = (env?.value ?? DEFAULT_ENVIRONMENT) as Environment;
  const envUrl = ENVIRONMENT_BASE_URLS[environment];
  if (envUrl === null) {
    const dbPath = resolveDbPath(options.db);
    return { kind: "local", label: `the local registry (${dbPath})`, baseUrl: undefined, environment, allowLoopbackHttp: true, apiVersion, secret, dbPath };
  }
  refuseDbFlag(options, `Pinwheel ${environment}`);
  if (secret.source === "default") {
    throw usageError(
      `no API secret for Pinwheel ${environment}: pass --secret, set PINWHEEL_API_SECRET, or run "pinwheel-cli config set api-secret"`,
    );
  }
  return { kind: "http", label: `Pinwheel ${environment} (${envUrl})`, baseUrl: envUrl, environment, allowLoopbackHttp: false, apiVersion, secret, dbPath: undefined };
}

export interface OpenedApi {
  api: WebhooksApi;
  /** Set for the embedded registry: health and fan-out live there. */
  local: LocalRegistry | undefined;
  close(): Promise<void>;
}

/** Opens the HTTP client or the embedded registry; heavy modules load only for the one chosen. */
export async function openApi(target: Target, timeoutMs: number): Promise<OpenedApi> {
  if (target.kind === "http") {
    const { createHttpWebhooksApi } = await import("../api/client.js");
    const api = createHttpWebhooksApi({ baseUrl: target.baseUrl, secret: target.secret.secret, apiVersion: target.apiVersion, timeoutMs });
    return { api, local: undefined, close: () => api.close() };
  }
  const [{ openDatabase }, { createLocalRegistry }, { apiKeyFingerprint }] = await Promise.all([
    import("../store/database.js"),
    import("./local.js"),
    import("./api-key.js"),
  ]);
  const db = openDatabase(target.dbPath);
  const local = createLocalRegistry({ db, apiKey: apiKeyFingerprint(target.secret.secret) });
  return { api: local, local, close: async () => void db.close() };
}
