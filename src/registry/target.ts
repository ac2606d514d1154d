import { resolveDbPath, resolveSecret, resolveSetting, type ResolvedSecret, type ResolvedSetting, type SettingSource } from "../config.js";
import { ENVIRONMENT_BASE_URLS, DEFAULT_ENVIRONMENT, ENVIRONMENTS, isEnvironment, isPinwheelVersion, NEWEST_VERSION, PINWHEEL_VERSIONS, type Environment } from "../api/environments.js";
import type { WebhooksApi } from "../api/types.js";
import { TargetError, type SettingOrigin, type TargetSetting } from "./target-error.js";
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

function origin(setting: TargetSetting, resolved: ResolvedSetting): SettingOrigin {
  return { setting, source: resolved.source, value: resolved.value };
}

/** A database file beside an HTTP API, which keeps its own webhooks, would be ignored. */
function refuseDbFlag(options: TargetOptions, api: string, because?: SettingOrigin): void {
  if (options.db !== undefined) throw new TargetError({ kind: "db_beside_api", api, because });
}

/** Flags > environment variables > config file > defaults, for env, base-url, api-version and the secret. */
export function resolveTarget(options: TargetOptions): Target {
  if (options.env !== undefined && options.baseUrl !== undefined) {
    throw new TargetError({ kind: "env_and_base_url" });
  }
  const env = resolveSetting("env", options.env);
  if (env && !isEnvironment(env.value)) {
    throw new TargetError({ kind: "not_an_environment", origin: origin("env", env), allowed: ENVIRONMENTS });
  }
  const base = resolveSetting("base-url", options.baseUrl);
  // A value that only looks like one (a bad port, a "/" in a password) would fail at new URL below.
  if (base && (!/^https?:\/\/[^/]/.test(base.value) || !URL.canParse(base.value))) {
    throw new TargetError({ kind: "not_an_http_url", origin: origin("base-url", base) });
  }

  const version = resolveSetting("api-version", options.apiVersion);
  if (version && !isPinwheelVersion(version.value)) {
    throw new TargetError({ kind: "not_a_version", origin: origin("api-version", version), allowed: PINWHEEL_VERSIONS });
  }
  const apiVersion = version?.value ?? NEWEST_VERSION;
  const secret = resolveSecret(options.secret);

  // A base URL wins over an environment set at the same level or below it: --base-url beats a
  // configured env, but --env beats a configured base-url.
  if (base && (!env || SOURCE_RANK[base.source] <= SOURCE_RANK[env.source])) {
    refuseDbFlag(options, base.value, origin("base-url", base));
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
    throw new TargetError({ kind: "no_secret", environment });
  }
  return { kind: "http", label: `Pinwheel ${environment} (${envUrl})`, baseUrl: envUrl, environment, allowLoopbackHttp: false, apiVersion, secret, dbPath: undefined };
}

export interface OpenedApi {
  api: WebhooksApi;
  /** Set for the embedded registry: health and fan-out live there. */
  local: LocalRegistry | undefined;
  close(): Promise<void>;
}

/**
 * Opens the HTTP client or the embedded registry; heavy modules load only for the one chosen.
 * `mustExist`: the embedded registry's file is not created (a command that only reads or changes
 * what is there reports a mistyped path instead).
 */
export async function openApi(target: Target, timeoutMs: number, { mustExist = false }: { mustExist?: boolean } = {}): Promise<OpenedApi> {
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
  const db = openDatabase(target.dbPath, { mustExist });
  const local = createLocalRegistry({ db, apiKey: apiKeyFingerprint(target.secret.secret) });
  return { api: local, local, close: async () => void db.close() };
}
