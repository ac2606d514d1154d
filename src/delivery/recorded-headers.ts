import type { StoredRequest } from "../store/requests.js";

/** Headers a proxy or client sets per connection; the rest of a recording is sent back as it came. */
// Hop-by-hop and framing headers describe the recorded connection, not the request: sent again
// they would contradict the new one (node refuses a Trailer on a body with a length).
const CONNECTION_HEADERS = new Set(["host", "content-length", "connection", "keep-alive", "proxy-connection", "transfer-encoding", "te", "trailer", "expect", "upgrade"]);

/**
 * A stored request's headers to send again "as recorded" (replay --as-recorded, the inspector's
 * replay): connection headers and redacted credentials left out, repeated headers joined.
 */
export function recordedHeaders(request: Pick<StoredRequest, "headers">): Record<string, string> {
  const headers: Record<string, string> = {};
  for (const [name, value] of request.headers) {
    const key = name.toLowerCase();
    if (CONNECTION_HEADERS.has(key) || value === "[redacted]") continue;
    headers[key] = headers[key] === undefined ? value : `${headers[key]}, ${value}`;
  }
  return headers;
}

/** The first value of a stored request's header (names compare case-insensitively, as HTTP's do). */
export function storedHeader(request: Pick<StoredRequest, "headers">, name: string): string | undefined {
  const wanted = name.toLowerCase();
  for (const [key, value] of request.headers) {
    if (key.length === wanted.length && key.toLowerCase() === wanted) return value;
  }
  return undefined;
}
