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

/** A job named both to fail and to report pending: a job is pending then settles, or it fails. Adapters name the two lists. */
export class OutcomeConflictError extends Error {
  override readonly name = "OutcomeConflictError";
  constructor(readonly job: string) {
    super(`${job} is named both to fail and to be pending`);
  }
}

export function isOutcomeConflictError(error: unknown): error is OutcomeConflictError {
  return error instanceof OutcomeConflictError;
}
