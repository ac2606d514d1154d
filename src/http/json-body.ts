import type { IncomingMessage } from "node:http";
import { readBody } from "./body.js";
import { HttpError } from "./http-error.js";

/** A Content-Type that says JSON: application/json, with or without parameters (charset). */
export function isJsonContentType(type: string | undefined): boolean {
  return /^application\/json\s*(;|$)/i.test(type ?? "");
}

export type JsonParsed = { ok: true; value: unknown } | { ok: false };

/** The body's bytes as JSON; each server words a failure in its own error shape. */
export function parseJson(bytes: Buffer): JsonParsed {
  try {
    return { ok: true, value: JSON.parse(bytes.toString("utf8")) };
  } catch {
    return { ok: false };
  }
}

/**
 * A small JSON object as a request body, for a page's API: anything else (not JSON, too large, not
 * an object) is an HttpError the page can show. An empty body is an empty object.
 */
export async function readJsonObject(request: IncomingMessage, maxBytes: number): Promise<Record<string, unknown>> {
  if (!isJsonContentType(request.headers["content-type"])) {
    request.resume();
    throw new HttpError(415, "unsupported_media_type", "send the body as application/json");
  }
  const read = await readBody(request, maxBytes);
  if (read.tooLarge) throw new HttpError(413, "body_too_large", `the body is over ${maxBytes} bytes`);
  const parsed = read.bytes.length === 0 ? { ok: true as const, value: {} } : parseJson(read.bytes);
  if (!parsed.ok) throw new HttpError(400, "invalid_json", "the body is not valid JSON");
  if (typeof parsed.value !== "object" || parsed.value === null || Array.isArray(parsed.value)) {
    throw new HttpError(400, "invalid_body", "the body must be a JSON object");
  }
  return parsed.value as Record<string, unknown>;
}
