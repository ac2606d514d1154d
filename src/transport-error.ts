export interface TransportFailure {
  kind: "timeout" | "network";
  message: string;
}

/** What went wrong below HTTP (undici's timeouts, an abort, a refused or reset connection), in words. */
export function describeTransportError(error: unknown, timeoutMs: number): TransportFailure {
  const err = error as { name?: string; code?: unknown; message?: string; errors?: unknown; cause?: { code?: unknown; message?: string; errors?: unknown } };
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
  const message = ((err.cause && messageOf(err.cause)) ?? messageOf(err) ?? String(error)).trim();
  if (code === "UND_ERR_SOCKET" && message === "bad upgrade") {
    // undici's words say nothing of what came back: a 101 answer, which a webhook's POST never asks for.
    return { kind: "network", message: `${code}: the server answered 101 Switching Protocols, as a WebSocket endpoint does; a webhook endpoint answers 2XX` };
  }
  return { kind: "network", message: code && !message.includes(code) ? `${code}: ${message}` : message };
}

/**
 * A name with several addresses (localhost on a dual-stack machine) that fails at each fails as
 * Node's AggregateError, whose own message is empty: the attempts say where it was refused.
 */
function messageOf(error: { message?: string; errors?: unknown }): string | undefined {
  if (error.message || !Array.isArray(error.errors) || error.errors.length === 0) return error.message;
  return [...new Set(error.errors.map((attempt: unknown) => (attempt as { message?: string } | null)?.message ?? String(attempt)))].join("; ");
}

/** Node's codes for a TLS certificate it does not accept because it does not trust who issued it. */
const UNTRUSTED_CERTIFICATE_CODES = [
  "DEPTH_ZERO_SELF_SIGNED_CERT",
  "SELF_SIGNED_CERT_IN_CHAIN",
  "UNABLE_TO_VERIFY_LEAF_SIGNATURE",
  "UNABLE_TO_GET_ISSUER_CERT",
  "UNABLE_TO_GET_ISSUER_CERT_LOCALLY",
];

/**
 * What is wrong with the server's TLS certificate and what to do, for an attempt that failed on it
 * (its error as describeTransportError worded it), or undefined for any other failure: "it" is
 * the certificate. Certificates are always checked: the way round is to trust the certificate,
 * or to use the app's plain http:// port.
 */
export function certificateHint(error: string | undefined): string | undefined {
  const code = new RegExp(`\\b(ERR_TLS_CERT_ALTNAME_INVALID|CERT_HAS_EXPIRED|${UNTRUSTED_CERTIFICATE_CODES.join("|")})\\b`).exec(error ?? "")?.[1];
  if (code === "ERR_TLS_CERT_ALTNAME_INVALID") return "it is not for that host name: use a name it is for (often localhost), or the app's plain http:// port";
  if (code === "CERT_HAS_EXPIRED") return "it has expired: renew it, or use the app's plain http:// port";
  if (code !== undefined) {
    return "Node does not trust it (self-signed, or from a local CA): start pinwheel-cli with NODE_EXTRA_CA_CERTS=<ca.pem> (a self-signed certificate is its own CA), or use the app's plain http:// port";
  }
  return undefined;
}
