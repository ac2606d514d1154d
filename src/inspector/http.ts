import type { IncomingMessage, ServerResponse } from "node:http";

/** Sent with every inspector response: nothing is framed, sniffed, cached, or loaded from elsewhere. */
export const SECURITY_HEADERS: Readonly<Record<string, string>> = {
  "content-security-policy":
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; " +
    "object-src 'none'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'",
  "x-content-type-options": "nosniff",
  "referrer-policy": "no-referrer",
  "x-frame-options": "DENY",
  "cross-origin-opener-policy": "same-origin",
  "cross-origin-resource-policy": "same-origin",
  "cache-control": "no-store",
};

export function sendJson(response: ServerResponse, statusCode: number, body: unknown, extra: Record<string, string> = {}): void {
  const text = JSON.stringify(body);
  response.writeHead(statusCode, {
    ...SECURITY_HEADERS,
    "content-type": "application/json; charset=utf-8",
    "content-length": Buffer.byteLength(text),
    ...extra,
  });
  response.end(text);
}

/** An error answer the page can show as is: `{error: code, message: words}`. */
export function sendError(response: ServerResponse, statusCode: number, code: string, message: string, extra: Record<string, string> = {}): void {
  sendJson(response, statusCode, { error: code, message }, extra);
}

/** A refusal the page can explain: thrown anywhere in a handler, answered as `{error, message}`. */
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

const MAX_JSON_BODY = 16 * 1024;

/** A small JSON request body; anything else (too large, not JSON, not an object) is a 4XX. */
export function readJsonObject(request: IncomingMessage): Promise<Record<string, unknown>> {
  return new Promise((resolve, reject) => {
    const type = request.headers["content-type"] ?? "";
    if (!/^application\/json\b/i.test(type)) {
      request.resume();
      reject(new HttpError(415, "unsupported_media_type", "send the body as application/json"));
      return;
    }
    const chunks: Buffer[] = [];
    let size = 0;
    request.on("data", (chunk: Buffer) => {
      size += chunk.length;
      if (size <= MAX_JSON_BODY) chunks.push(chunk);
    });
    request.on("error", reject);
    request.on("end", () => {
      if (size > MAX_JSON_BODY) return reject(new HttpError(413, "body_too_large", `the body is over ${MAX_JSON_BODY} bytes`));
      let value: unknown;
      try {
        value = size === 0 ? {} : JSON.parse(Buffer.concat(chunks).toString("utf8"));
      } catch {
        return reject(new HttpError(400, "invalid_json", "the body is not valid JSON"));
      }
      if (typeof value !== "object" || value === null || Array.isArray(value)) {
        return reject(new HttpError(400, "invalid_body", "the body must be a JSON object"));
      }
      resolve(value as Record<string, unknown>);
    });
  });
}
