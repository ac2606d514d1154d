import { CliError } from "../errors.js";
import { claimStopSignals } from "../interrupt.js";

/**
 * A server command's bind failure, in its flags. `inUseHint` says what probably holds the port
 * ("another mock?"), when the command can guess.
 */
export function describeBindError(error: unknown, host: string, port: number, inUseHint = ""): CliError {
  const code = (error as { code?: string }).code;
  const hint = inUseHint ? ` ${inUseHint}` : "";
  if (code === "EADDRINUSE") return new CliError(`port ${port} on ${host} is already in use${hint}; pick another with --port (0 picks a free one)`);
  if (code === "EACCES") return new CliError(`not allowed to listen on port ${port}; use a port above 1023`);
  if (code === "EADDRNOTAVAIL" || code === "ENOTFOUND") return new CliError(`cannot bind to ${host}; use --host 127.0.0.1 or an address of this machine`);
  return new CliError(`cannot listen on ${host}:${port}: ${(error as Error).message}`);
}

/**
 * Resolves with the first SIGINT or SIGTERM, and stops listening for either: a second one is the
 * process-wide handler's, which exits at once.
 */
export function waitForStopSignal(): Promise<NodeJS.Signals> {
  return new Promise((resolve) => {
    const release = claimStopSignals();
    const onSignal = (signal: NodeJS.Signals) => {
      process.off("SIGINT", onSignal);
      process.off("SIGTERM", onSignal);
      release();
      resolve(signal);
    };
    process.on("SIGINT", onSignal);
    process.on("SIGTERM", onSignal);
  });
}
