/**
 * Work that must be saved when Ctrl+C ends a command mid-run (the attempts a run of deliveries
 * has made but not yet written). src/main.ts runs these before it exits with 130; a second
 * Ctrl+C, or a minute without an answer from them, exits at once.
 */
const savers = new Set<Saver>();

/** Saves what an interrupted command made; told how the command ended ("terminated (SIGTERM)"). */
type Saver = (ending: string) => Promise<string | undefined>;

/**
 * Registers `save` until the returned function is called. What it resolves to, if anything, ends
 * the interrupted line ("interrupted (Ctrl+C) after 20 of 300 deliveries ...").
 */
export function saveOnInterrupt(save: Saver): () => void {
  savers.add(save);
  return () => savers.delete(save);
}

export const INTERRUPT_SAVE_LIMIT_MS = 60_000;

/** Runs every registered saver; resolves with what they said when all are done (or failed), or after `limitMs` with nothing. */
export async function saveBeforeExit(ending: string, limitMs = INTERRUPT_SAVE_LIMIT_MS): Promise<string[]> {
  if (savers.size === 0) return [];
  let timer: NodeJS.Timeout | undefined;
  const limit = new Promise<string[]>((resolve) => {
    timer = setTimeout(() => resolve([]), limitMs);
    timer.unref();
  });
  const saved = Promise.allSettled([...savers].map((save) => save(ending))).then((results) =>
    results.flatMap((result) => (result.status === "fulfilled" && result.value ? [result.value] : [])),
  );
  const said = await Promise.race([saved, limit]);
  clearTimeout(timer);
  return said;
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

/** stdout's reader went away while a command that claims the stop signals ran (src/cli/process-hooks.ts). */
let stdoutClosedNoted = false;

/** Notes that stdout was closed; the command that claimed the stop signals is then sent SIGTERM. */
export function noteStdoutClosed(): void {
  stdoutClosedNoted = true;
}

/** Whether stdout was closed under the command: its graceful stop is then not a clean one (exit 141, see errors.ts stdoutClosed). */
export function stdoutWasClosed(): boolean {
  return stdoutClosedNoted;
}
