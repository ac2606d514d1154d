import { createHash, timingSafeEqual } from "node:crypto";
import { DEFAULT_PAGE_SIZE, isPinwheelVersion, PINWHEEL_VERSIONS } from "../api/environments.js";
import { isPinwheelApiError } from "../api/errors.js";
import type { ApiErrorBody, WebhooksApi } from "../api/types.js";
import { isJsonContentType, parseJson } from "../http/json-body.js";
import { invalidParameters, methodNotAllowed, routeNotFound, unauthorized, unknownError } from "../registry/errors.js";
import { validateListParams } from "../registry/validate.js";
import type { Sandbox } from "../sandbox/sandbox.js";

export interface ApiRequest {
  method: string;
  /** Path and query as received, e.g. /v1/webhooks?limit=2 */
  target: string;
  headers: Record<string, string | string[] | undefined>;
  /** The raw body, undefined when there was none. */
  body: Buffer | undefined;
}

export interface ApiAnswer {
  status: number;
  body: unknown;
}

export interface RouteOptions {
  /** The one API secret accepted in x-api-secret; anything else is refused with 401, as Pinwheel does. */
  secret: string;
  registry: WebhooksApi;
  /**
   * The Core Data API's state. A function, called on the first data request, so a mock that only
   * serves /v1/webhooks never loads the sandbox.
   */
  sandbox?: () => Promise<Sandbox>;
}

const COLLECTION = "/v1/webhooks";

function fail(error: ApiErrorBody): ApiAnswer {
  return { status: error.status_code, body: { error } };
}

function header(headers: ApiRequest["headers"], name: string): string | undefined {
  const value = headers[name];
  return Array.isArray(value) ? value[0] : value;
}

function sameSecret(given: string, expected: string): boolean {
  // Equal-length digests make the comparison constant-time whatever the lengths.
  const digest = (value: string) => createHash("sha256").update(value, "utf8").digest();
  return timingSafeEqual(digest(given), digest(expected));
}

function checkHeaders(request: ApiRequest, secret: string): ApiErrorBody | undefined {
  const given = header(request.headers, "x-api-secret");
  if (!given) return unauthorized(true);
  if (!sameSecret(given, secret)) return unauthorized(false);
  const version = header(request.headers, "pinwheel-version");
  if (version !== undefined && !isPinwheelVersion(version)) {
    return invalidParameters([{ name: "Pinwheel-Version", message: `must be one of ${PINWHEEL_VERSIONS.join(", ")}, got "${version}"` }], "invalid_version");
  }
  return undefined;
}

type Parsed = { ok: true; value: unknown } | { ok: false; error: ApiErrorBody };

/** A POST of the data API may come without a body: that is an empty request, not bad JSON. */
function parseOptionalJsonBody(request: ApiRequest): Parsed {
  return request.body === undefined || request.body.length === 0 ? { ok: true, value: undefined } : parseJsonBody(request);
}

async function answerData(request: ApiRequest, url: URL, path: string, method: string, secret: string, openSandbox: () => Promise<Sandbox>): Promise<ApiAnswer> {
  const refused = checkHeaders(request, secret);
  if (refused) return fail(refused);
  try {
    const [{ answerDataRequest }, sandbox] = await Promise.all([import("./data-routes.js"), openSandbox()]);
    const answer = await answerDataRequest({ method, path, query: url.searchParams, json: () => parseOptionalJsonBody(request) }, sandbox);
    return answer ?? fail(routeNotFound(method, path));
  } catch (error) {
    if (error instanceof URIError) return fail(routeNotFound(method, path));
    return fail(unknownError(error instanceof Error ? error.message : String(error)));
  }
}

function parseJsonBody(request: ApiRequest): Parsed {
  const type = header(request.headers, "content-type");
  if (!isJsonContentType(type)) {
    return { ok: false, error: invalidParameters([{ name: "content-type", message: `must be application/json, got "${type ?? ""}"` }], "unsupported_content_type") };
  }
  const parsed = parseJson(request.body ?? Buffer.alloc(0));
  return parsed.ok ? parsed : { ok: false, error: invalidParameters([{ name: "body", message: "is not valid JSON" }], "invalid_json") };
}

/**
 * An origin-form target ("/v1/webhooks?limit=2") is a path even when it starts with "//", which
 * new URL(target, base) reads as protocol-relative: "//v1/webhooks" would be host v1, path /webhooks.
 */
function targetUrl(target: string): URL {
  return target.startsWith("/") ? new URL(`http://stand-in${target}`) : new URL(target, "http://stand-in");
}

/**
 * Pinwheel's /v1/webhooks routes over any registry: the same checks, answers and error shapes
 * whether the registry is the local SQLite one (pinwheel-cli mock) or another implementation.
 */
export async function answerApiRequest(request: ApiRequest, options: RouteOptions): Promise<ApiAnswer> {
  const url = targetUrl(request.target);
  const path = url.pathname.length > 1 ? url.pathname.replace(/\/$/, "") : url.pathname;
  const method = request.method.toUpperCase();
  if (options.sandbox && path !== COLLECTION && !path.startsWith(`${COLLECTION}/`)) return answerData(request, url, path, method, options.secret, options.sandbox);
  let idMatch: string | undefined;
  try {
    idMatch = path.startsWith(`${COLLECTION}/`) ? decodeURIComponent(path.slice(COLLECTION.length + 1)) : undefined;
  } catch {
    return fail(routeNotFound(method, path));
  }
  if (path !== COLLECTION && (idMatch === undefined || idMatch === "" || idMatch.includes("/"))) return fail(routeNotFound(method, path));

  const refused = checkHeaders(request, options.secret);
  if (refused) return fail(refused);

  const { registry } = options;
  try {
    if (idMatch === undefined) {
      if (method === "GET") {
        const query = validateListParams(
          { limit: url.searchParams.get("limit") ?? undefined, cursor: url.searchParams.get("cursor") ?? undefined },
          DEFAULT_PAGE_SIZE,
        );
        if (!query.ok) return fail(query.error);
        return { status: 200, body: await registry.list(query.value) };
      }
      if (method === "POST") {
        const parsed = parseJsonBody(request);
        if (!parsed.ok) return fail(parsed.error);
        return { status: 200, body: { data: await registry.create(parsed.value as never) } };
      }
      return fail(methodNotAllowed(method, path, ["GET", "POST"]));
    }
    if (method === "GET") return { status: 200, body: { data: await registry.get(idMatch) } };
    if (method === "PUT") {
      const parsed = parseJsonBody(request);
      if (!parsed.ok) return fail(parsed.error);
      return { status: 200, body: { data: await registry.update(idMatch, parsed.value as never) } };
    }
    if (method === "DELETE") {
      await registry.delete(idMatch);
      return { status: 200, body: {} };
    }
    return fail(methodNotAllowed(method, path, ["GET", "PUT", "DELETE"]));
  } catch (error) {
    if (isPinwheelApiError(error)) return fail(error.body);
    return fail(unknownError(error instanceof Error ? error.message : String(error)));
  }
}
