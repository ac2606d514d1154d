import type { ApiErrorBody } from "./types.js";

/** Pinwheel (or the local stand-in) answered with its error shape. */
export class PinwheelApiError extends Error {
  readonly body: ApiErrorBody;

  constructor(body: ApiErrorBody) {
    super(body.message);
    this.name = "PinwheelApiError";
    this.body = body;
  }

  get statusCode(): number {
    return this.body.status_code;
  }
}

export type TransportFailure = "timeout" | "network" | "unexpected_answer";

/** No usable answer: a timeout, a refused or broken connection, or an answer that is not Pinwheel's shape. */
export class ApiTransportError extends Error {
  readonly kind: TransportFailure;
  readonly url: string;
  readonly statusCode: number | undefined;

  constructor(kind: TransportFailure, url: string, detail: string, statusCode?: number) {
    super(detail);
    this.name = "ApiTransportError";
    this.kind = kind;
    this.url = url;
    this.statusCode = statusCode;
  }
}

export function isPinwheelApiError(error: unknown): error is PinwheelApiError {
  return error instanceof PinwheelApiError;
}
