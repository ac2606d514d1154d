import type { ServerResponse } from "node:http";
import { sendJson } from "./json-answer.js";

/** A refusal a page can explain: thrown anywhere in a handler, answered as `{error: code, message}`. */
export class HttpError extends Error {
  constructor(
    readonly statusCode: number,
    readonly code: string,
    message: string,
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
  }
}

/** An error answer a page can show as is: `{error: code, message: words}`. */
export function sendError(response: ServerResponse, statusCode: number, code: string, message: string, headers: Record<string, string> = {}): void {
  sendJson(response, statusCode, { error: code, message }, headers);
}

/**
 * Answers what a handler threw: an HttpError as itself, anything else as a 500 that names it.
 * Once the head is sent no answer can follow, so the connection is cut instead.
 */
export function sendThrown(response: ServerResponse, error: unknown, headers: Record<string, string> = {}): void {
  if (response.headersSent) return void response.destroy();
  if (error instanceof HttpError) return sendError(response, error.statusCode, error.code, error.message, { ...headers, ...error.headers });
  sendError(response, 500, "internal_error", error instanceof Error ? error.message : String(error), headers);
}
