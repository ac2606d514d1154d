/**
 * Exit codes the CLI promises: 1 for work that failed, 2 for a usage mistake, 130 for Ctrl+C (128 + SIGINT, as shells report it),
 * 141 when stdout's reader went away (128 + SIGPIPE).
 */
export type ExitCode = 1 | 2 | 130 | 141;

/**
 * The error type adapters (commands, the MCP server, config) throw. Its message is shown to the user
 * as-is (one line), so it must say what is wrong and what to do. The core never throws it: it throws
 * its own typed errors (OverrideError, ScenarioError, StoreError, ...), which cli/word-error.ts words
 * in the CLI's flags; only src/main.ts (through cli/run.ts) turns either into an exit code.
 */
export class CliError extends Error {
  readonly exitCode: ExitCode;

  constructor(message: string, exitCode: ExitCode = 1) {
    super(message);
    this.name = "CliError";
    this.exitCode = exitCode;
  }
}

export const INTERRUPTED_PREFIX = "interrupted (Ctrl+C)";

/** Ctrl+C, wherever it lands (a prompt, a run of deliveries, a server): one line and exit 130. */
export function interrupted(detail?: string): CliError {
  return new CliError(detail ? `${INTERRUPTED_PREFIX}; ${detail}` : INTERRUPTED_PREFIX, 130);
}

export const STDOUT_CLOSED_PREFIX = "stopped: stdout was closed (its reader quit)";

/** A server command (listen, mock, the MCP server) stopped gracefully because stdout's reader went away: one line and exit 141. */
export function stdoutClosed(detail?: string): CliError {
  return new CliError(detail ? `${STDOUT_CLOSED_PREFIX}; ${detail}` : STDOUT_CLOSED_PREFIX, 141);
}

export function usageError(message: string): CliError {
  return new CliError(message, 2);
}

export function isCliError(error: unknown): error is CliError {
  return error instanceof CliError;
}
