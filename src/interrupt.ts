/**
 * Work that must be saved when Ctrl+C ends a command mid-run (the attempts a run of deliveries
 * has made but not yet written). src/main.ts runs these before it exits with 130; a second
 * Ctrl+C, or a minute without an answer from them, exits at once.
 */
const savers = new Set<() => Promise<void>>();

/** Registers `save` until the returned function is called. */
export function saveOnInterrupt(save: () => Promise<void>): () => void {
  savers.add(save);
  return () => savers.delete(save);
}

export const INTERRUPT_SAVE_LIMIT_MS = 60_000;

/** Runs every registered saver; resolves when all are done (or failed), or after `limitMs`. */
export async function saveBeforeExit(limitMs = INTERRUPT_SAVE_LIMIT_MS): Promise<void> {
  if (savers.size === 0) return;
  let timer: NodeJS.Timeout | undefined;
  const limit = new Promise<void>((resolve) => {
    timer = setTimeout(resolve, limitMs);
    timer.unref();
  });
  await Promise.race([Promise.allSettled([...savers].map((save) => save())), limit]);
  clearTimeout(timer);
}

/**
 * Commands that stop gracefully on SIGINT and SIGTERM themselves (listen, mock, the MCP server)
 * claim the signals while they wait for one; otherwise the process-wide handler ends the process
 * (src/cli/process-hooks.ts). A count of listeners cannot tell them apart from a library's own
 * (the prompts' signal-exit acts only when its handler is the sole one): each would wait for the other.
 */
let stopSignalClaims = 0;

/** Claims SIGINT and SIGTERM until the returned function is called (once is enough; later calls do nothing). */
export function claimStopSignals(): () => void {
  stopSignalClaims++;
  let released = false;
  return () => {
    if (released) return;
    released = true;
    stopSignalClaims--;
  };
}

/** Whether a command stops on SIGINT and SIGTERM by itself just now. */
export function stopSignalsClaimed(): boolean {
  return stopSignalClaims > 0;
}
