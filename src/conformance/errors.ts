/** Why a conformance run could not judge the handler at all (as opposed to a check failing). */
export type ConformanceErrorCode = "unreachable" | "no_http" | "unresponsive" | "state_url";

/**
 * The transport errors that mean nothing took the connection ("unreachable"). Any other on the
 * first request (the connection closed, bytes that are not HTTP) means something did: "no_http".
 */
export const NOTHING_LISTENING = /ECONNREFUSED|ENOTFOUND|EAI_AGAIN|EHOSTUNREACH|ENETUNREACH|EADDRNOTAVAIL/;

/** What a "no_http" run likely met, for the CLI's and the MCP server's words. */
export const NO_HTTP_HINT = "something there took the connection but gave no HTTP answer: another program on that port, an https:// server, or an app that drops every request?";

export class ConformanceError extends Error {
  readonly code: ConformanceErrorCode;
  /** The URL concerned: the handler's, or --state-url's. */
  readonly url: string;

  constructor(code: ConformanceErrorCode, url: string, message: string) {
    super(message);
    this.name = "ConformanceError";
    this.code = code;
    this.url = url;
  }
}
