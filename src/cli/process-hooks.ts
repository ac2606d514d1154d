import { INTERRUPTED_PREFIX } from "../errors.js";
import { saveBeforeExit, stopSignalsClaimed } from "../interrupt.js";

/** What a stop signal ends with when no command handles it: one line on stderr, and 128 + the signal's number. */
const STOPS = {
  SIGINT: { line: INTERRUPTED_PREFIX, code: 130 },
  // A CI job's timeout or `docker stop`: the same care as Ctrl+C, in its own words.
  SIGTERM: { line: "terminated (SIGTERM)", code: 143 },
} as const;

/** The process-wide handlers every entry point installs once (src/main.ts and the fast commands' bundle). */
export function installProcessHooks(): void {
  // `pinwheel-cli ... | head` closes the pipe early: that is the reader's choice, not a failure.
  process.stdout.on("error", (error: NodeJS.ErrnoException) => {
    if (error.code === "EPIPE") process.exit(process.exitCode ?? 0);
    throw error;
  });

  // Ctrl+C (or SIGTERM) during a command that does not stop gracefully itself (simulate --retry
  // waiting out a backoff, smoke, replay, a prompt sent a signal rather than the keys): one line
  // and 130 (143). listen, mock and the MCP server claim the signals (claimStopSignals) and finish
  // what is in flight themselves.
  // A run of deliveries first writes the attempts it made (src/interrupt.ts); a second signal does not wait.
  let stopping = false;
  for (const [signal, stop] of Object.entries(STOPS)) {
    process.on(signal, () => {
      if (stopSignalsClaimed()) return;
      const exit = (said: string[] = []) => {
        process.stderr.write(said.length === 0 ? `${stop.line}\n` : `${stop.line} ${said.join("; ")}\n`);
        process.exit(stop.code);
      };
      if (stopping) exit();
      stopping = true;
      void saveBeforeExit(stop.line).then(exit, () => exit());
    });
  }
}
