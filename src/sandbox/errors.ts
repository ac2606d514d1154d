/** A connect or Link-token request the sandbox cannot honour: which field, and why. Adapters word it. */
export class SandboxInputError extends Error {
  readonly field: string;
  readonly reason: string;

  constructor(field: string, reason: string) {
    super(`${field} ${reason}`);
    this.name = "SandboxInputError";
    this.field = field;
    this.reason = reason;
  }
}

export function isSandboxInputError(error: unknown): error is SandboxInputError {
  return error instanceof SandboxInputError;
}
