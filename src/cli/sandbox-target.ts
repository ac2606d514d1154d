import { isEnvironment } from "../api/environments.js";
import { isPinwheelApiError } from "../api/errors.js";
import type { SandboxApi } from "../api/sandbox-client.js";
import { usageError } from "../errors.js";
import type { Output } from "../output/index.js";
import { isSandboxInputError } from "../sandbox/errors.js";
import { resolveTarget, type Target, type TargetOptions } from "../registry/target.js";
import { describeApiFailure } from "./webhooks-api.js";
import { localStoreMustExist } from "./store-must-exist.js";

export interface SandboxTargetOptions extends Omit<TargetOptions, "apiVersion"> {
  apiVersion?: string;
}

/** The option each field of a connect request came from, for errors worded in the CLI's terms. */
const FLAG_OF: Record<string, string> = {
  platform: "--platform",
  jobs: "--jobs",
  end_user_id: "--end-user-id",
  seed: "--seed",
  outcomes: "--fail/--pending",
};

function refuseEnvironment(environment: string) {
  // --env takes any word here (its help lists no choices): one that names no environment is said to be none.
  if (!isEnvironment(environment)) return usageError(`--env: "${environment}" is not an environment; the sandbox takes --env local, or --base-url <a running "pinwheel-cli mock">`);
  return usageError(`the sandbox is pinwheel-cli's own stand-in, not Pinwheel ${environment}; use --base-url <a running "pinwheel-cli mock"> or --env local`);
}

/** A target resolved for other work (the MCP server's), if it is one the sandbox can live in. */
export function sandboxTargetOrUsageError(target: Target): Target {
  if (target.environment !== undefined && target.environment !== "local") throw refuseEnvironment(target.environment);
  return target;
}

/** The sandbox lives in a running mock (--base-url) or in the local database (--env local); Pinwheel's own environments have their own. */
export function resolveSandboxTarget(options: SandboxTargetOptions): Target {
  // Before resolving: Pinwheel's environments would first ask for a real secret the sandbox never needs.
  if (options.env !== undefined && options.env !== "local") throw refuseEnvironment(options.env);
  return sandboxTargetOrUsageError(resolveTarget(options));
}

async function openSandboxApi(target: Target, timeoutMs: number, createsStore: boolean, signal: AbortSignal | undefined): Promise<SandboxApi> {
  if (target.kind === "http") {
    const { createHttpSandboxApi } = await import("../api/sandbox-client.js");
    return createHttpSandboxApi({ baseUrl: target.baseUrl, secret: target.secret.secret, apiVersion: target.apiVersion, timeoutMs, signal });
  }
  const [{ openDatabase }, { createLocalRegistry }, { apiKeyFingerprint }, { createSandbox }] = await Promise.all([
    import("../store/database.js"),
    import("../registry/local.js"),
    import("../registry/api-key.js"),
    import("../sandbox/sandbox.js"),
  ]);
  const db = openDatabase(target.dbPath, { mustExist: localStoreMustExist(target, createsStore) });
  const apiKey = apiKeyFingerprint(target.secret.secret);
  const registry = createLocalRegistry({ db, apiKey });
  const sandbox = createSandbox({ db, apiKey, secret: target.secret.secret, registry, signal });
  return {
    connect: (options) => sandbox.connect(options),
    accounts: async () => sandbox.accounts(),
    reset: async () => sandbox.reset(),
    close: async () => void db.close(),
  };
}

/** How the caller names a field of a connect request: the CLI by its flag, the MCP server by its tool argument. */
export type FieldTerms = (field: string) => string;

const flagOf: FieldTerms = (field) => FLAG_OF[field] ?? field;

function describeSandboxFailure(error: unknown, target: Target, timeoutMs: number, term: FieldTerms): unknown {
  // A request the sandbox refused names a field; say which flag to change, as a usage error.
  if (isSandboxInputError(error)) return usageError(`${term(error.field)}: ${error.reason}`);
  if (isPinwheelApiError(error) && error.statusCode === 400) {
    const field = error.body.fields?.[0];
    if (field && FLAG_OF[field.name]) return usageError(`${term(field.name)}: ${field.message}`);
  }
  return describeApiFailure(error, target, timeoutMs);
}

/**
 * Runs the work against the sandbox, turning refusals and transport failures into one-line errors.
 * `term` names a request's fields (flags by default); only a command that adds to the local
 * sandbox (`createsStore`: connect) creates a store at a path the user chose.
 */
export async function withSandbox<T>(
  out: Output,
  target: Target,
  timeoutMs: number,
  work: (api: SandboxApi) => Promise<T>,
  { term = flagOf, createsStore = false, signal }: { term?: FieldTerms; createsStore?: boolean; signal?: AbortSignal } = {},
): Promise<T> {
  const api = await openSandboxApi(target, timeoutMs, createsStore, signal);
  const spinner = await out.spinner(target.kind === "http" ? `Calling ${target.label}…` : "Working…");
  try {
    return await work(api);
  } catch (error) {
    throw describeSandboxFailure(error, target, timeoutMs, term);
  } finally {
    spinner.stop();
    await api.close();
  }
}
