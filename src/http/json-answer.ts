import type { OutgoingHttpHeaders, ServerResponse } from "node:http";

/**
 * Answers with `body` as JSON and its exact length. `headers` come last, so a server can name
 * its own content type (the mock answers "application/json", as Pinwheel does) or add its own.
 */
export function sendJson(response: ServerResponse, statusCode: number, body: unknown, headers: OutgoingHttpHeaders = {}): void {
  const text = JSON.stringify(body);
  response.writeHead(statusCode, {
    "content-type": "application/json; charset=utf-8",
    "content-length": Buffer.byteLength(text),
    ...headers,
  });
  response.end(text);
}
