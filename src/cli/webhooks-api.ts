import { resolvePaths, SECRET_SOURCE_LABELS } from "../config.js";
import { ApiTransportError, isPinwheelApiError } from "../api/errors.js";
import { CliError } from "../errors.js";
import type { Output } from "../output/index.js";
import { openApi, type OpenedApi, type Target } from "../registry/target.js";
import { localStoreMustExist } from "./store-must-exist.js";

/**
 * Runs the work against the target, turning API and transport failures into one-line errors.
 * A local registry's store at a path the user chose must exist unless the command adds to it
 * (`createsStore`): the others report a mistyped path. A command that names a webhook by id
 * (`namesWebhook`) answers a 404 with where the ids are; for the others a 404 is a wrong URL.
 */
export async function withApi<T>(
  out: Output,
  target: Target,
  timeoutMs: number,
  work: (opened: OpenedApi) => Promise<T>,
  { createsStore = false, namesWebhook = false }: { createsStore?: boolean; namesWebhook?: boolean } = {},
): Promise<T> {
  if (target.kind === "http" && target.secret.source === "default") {
    out.notice(`Sending ${SECRET_SOURCE_LABELS.default} as x-api-secret; pass --secret or set PINWHEEL_API_SECRET for another.`);
  }
  const opened = await openApi(target, timeoutMs, { mustExist: localStoreMustExist(target, createsStore) });
  // A remote API can take seconds; the embedded registry answers at once and needs no spinner.
  const spinner = target.kind === "http" ? await out.spinner(`Calling ${target.label}…`) : undefined;
  try {
    return await work(opened);
  } catch (error) {
    const described = describeApiFailure(error, target, timeoutMs);
    // A webhook id that is not there: say where the ids are, with the flags that reach the same place.
    if (namesWebhook && isPinwheelApiError(error) && error.body.status_code === 404 && described instanceof CliError) {
      throw new CliError(`${described.message.replace(/\.$/, "")}; "pinwheel-cli webhooks list${listFlags(target)}" shows the ids there`);
    }
    throw described;
  } finally {
    spinner?.stop();
    await opened.close();
  }
}

/** The flags that make `webhooks list` read the same registry as the command that failed. */
function listFlags(target: Target): string {
  if (target.kind === "local") return target.dbPath === resolvePaths().defaultDb ? "" : ` --db ${target.dbPath}`;
  return target.environment && target.environment !== "local" ? ` --env ${target.environment}` : ` --base-url ${target.baseUrl}`;
}

export function redact(text: string, secret: string): string {
  return secret.length >= 4 ? text.split(secret).join("[secret]") : text;
}

export function describeApiFailure(error: unknown, target: Target, timeoutMs: number): unknown {
  if (isPinwheelApiError(error)) {
    const { type, code, message, status_code: status, fields = [] } = error.body;
    const said = redact(message, target.secret.secret);
    if (status === 401 || type === "UNAUTHORIZED_REQUEST") {
      return new CliError(
        `${target.label} refused the API secret (${status} ${type}, ${code}: ${said}); the secret was read from ${SECRET_SOURCE_LABELS[target.secret.source]}; ` +
          'give the right one with --secret, PINWHEEL_API_SECRET or "pinwheel-cli config set api-secret"',
      );
    }
    const details = fields
      .filter((field) => !message.includes(`${field.name} ${field.message}`))
      .map((field) => `${field.name}: ${redact(field.message, target.secret.secret)}`);
    return new CliError(`${target.label} answered ${status} ${type} (${code}): ${said}${details.length ? `; ${details.join("; ")}` : ""}`);
  }
  if (error instanceof ApiTransportError) {
    if (error.kind === "timeout") return new CliError(`timeout: no answer from ${error.url} within ${timeoutMs} ms; try again, or raise --timeout`);
    if (error.kind === "network") {
      const local = target.allowLoopbackHttp ? '; is "pinwheel-cli mock" running there?' : "";
      return new CliError(`connection error: cannot reach ${error.url} (${error.message})${local}`);
    }
    return new CliError(`unexpected answer from ${error.url}: ${redact(error.message, target.secret.secret)}`);
  }
  return error;
}
