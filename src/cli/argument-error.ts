/**
 * A bad option value, thrown by the parsers in options.ts. Commander recognises it by its code (and
 * words it as its own one-line usage error, exit 2) without this module loading commander, so the
 * one-shot commands' fast path (cli/fast.ts) can use the same parsers.
 */
export class InvalidArgumentError extends Error {
  readonly code = "commander.invalidArgument";
  readonly exitCode = 1;

  constructor(message: string) {
    super(message);
    this.name = "InvalidArgumentError";
  }
}
