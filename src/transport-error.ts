export interface TransportFailure {
  kind: "timeout" | "network";
  message: string;
}

/** What went wrong below HTTP (undici's timeouts, an abort, a refused or reset connection), in words. */
export function describeTransportError(error: unknown, timeoutMs: number): TransportFailure {
  const err = error as { name?: string; code?: unknown; message?: string; cause?: { code?: unknown; message?: string } };
  // DOMExceptions carry a legacy numeric code (20 for an abort): only errno-style names say something.
  const code = [err.code, err.cause?.code].find((value): value is string => typeof value === "string");
  if (
    err.name === "TimeoutError" ||
    code === "UND_ERR_HEADERS_TIMEOUT" ||
    code === "UND_ERR_BODY_TIMEOUT" ||
    code === "UND_ERR_CONNECT_TIMEOUT"
  ) {
    return { kind: "timeout", message: `no answer within ${timeoutMs} ms` };
  }
  if (code === "ERR_SSL_WRONG_VERSION_NUMBER" || code === "ERR_SSL_PACKET_LENGTH_TOO_LONG") {
    return { kind: "network", message: `${code}: the server did not answer TLS; it probably speaks plain HTTP (use http://)` };
  }
  const message = (err.cause?.message ?? err.message ?? String(error)).trim();
  return { kind: "network", message: code && !message.includes(code) ? `${code}: ${message}` : message };
}
