import type { ApiErrorBody, ApiFieldError } from "../api/types.js";

/**
 * The error answers of the local stand-in, in Pinwheel's shape. Pinwheel documents the types
 * but not the codes; these codes are the stand-in's own, stable so tests can match on them.
 */

export function invalidParameters(fields: ApiFieldError[], code = "invalid_parameters"): ApiErrorBody {
  const first = fields[0];
  return {
    type: "INVALID_REQUEST_PARAMETERS",
    code,
    message: first ? `Invalid request parameters: ${first.name} ${first.message}` : "Invalid request parameters.",
    status_code: 400,
    fields,
  };
}

export function webhookNotFound(id: string): ApiErrorBody {
  return { type: "RECORD_NOT_FOUND", code: "webhook_not_found", message: `No webhook with id ${id}.`, status_code: 404 };
}

export function quotaReached(max: number): ApiErrorBody {
  return {
    type: "INVALID_REQUEST_PARAMETERS",
    code: "webhook_limit_reached",
    message: `An API key can have at most ${max} webhooks; delete one before creating another.`,
    status_code: 400,
  };
}

export function unauthorized(missing: boolean): ApiErrorBody {
  return missing
    ? { type: "UNAUTHORIZED_REQUEST", code: "missing_api_secret", message: "The x-api-secret header is required.", status_code: 401 }
    : { type: "UNAUTHORIZED_REQUEST", code: "invalid_api_secret", message: "The API secret in x-api-secret is not valid.", status_code: 401 };
}

export function routeNotFound(method: string, path: string): ApiErrorBody {
  return { type: "RECORD_NOT_FOUND", code: "route_not_found", message: `No route ${method} ${path}; the stand-in serves /v1/webhooks and the Core Data API (see docs/sandbox.md).`, status_code: 404 };
}

export function methodNotAllowed(method: string, path: string, allowed: readonly string[]): ApiErrorBody {
  return {
    type: "INVALID_REQUEST_PARAMETERS",
    code: "method_not_allowed",
    message: `${method} is not allowed on ${path}; use ${allowed.join(" or ")}.`,
    status_code: 405,
  };
}

export function unknownError(message: string): ApiErrorBody {
  return { type: "UNKNOWN_ERROR", code: "unknown_error", message, status_code: 500 };
}

export function wrongHost(): ApiErrorBody {
  return {
    type: "INVALID_REQUEST_PARAMETERS",
    code: "wrong_host",
    message: "The stand-in bound to loopback answers only to localhost or 127.0.0.1 addresses.",
    status_code: 421,
  };
}
