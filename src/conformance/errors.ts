/** Why a conformance run could not judge the handler at all (as opposed to a check failing). */
export type ConformanceErrorCode = "unreachable" | "unresponsive" | "state_url";

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
