import { INTERRUPTED_PREFIX, STDOUT_CLOSED_PREFIX } from "../errors.js";
import { noteStdoutClosed, saveBeforeExit, stopSignalsClaimed } from "../interrupt.js";

/** What a stop signal ends with when no command handles it: one line on stderr, and 128 + the signal's number. */
const STOPS = {
  SIGINT: { line: INTERRUPTED_PREFIX, code: 130 },
  // A CI job's timeout or `docker stop`: the same care as Ctrl+C, in its own words.
  SIGTERM: { line: "terminated (SIGTERM)", code: 143 },
} as const;

/** stdout's reader went away (`| head`): 128 + SIGPIPE, as a shell reports a Unix tool that signal ended. */
const STDOUT_CLOSED = { line: STDOUT_CLOSED_PREFIX, code: 141 } as const;

/** The process-wide handlers every entry point installs once (src/main.ts and the fast commands' bundle). */
export function installProcessHooks(): void {
  let stopping = false;
  // Ends the command as a stop signal does: the work a run made is saved first (src/interrupt.ts),
  // then one line and the code; a second stop does not wait.
  const stop = ({ line, code }: { line: string; code: number }) => {
    const exit = (said: string[] = []) => {
      writeToStderr(said.length === 0 ? `${line}\n` : `${line} ${said.join("; ")}\n`);
      process.exit(code);
    };
    if (stopping) exit();
    stopping = true;
    void saveBeforeExit(line).then(exit, () => exit());
  };

  // `pinwheel-cli ... | head` closes the pipe early. Nothing more can be shown, but what the command
  // was doing may not be done (a smoke run's checks, a run's attempts not yet written): it stops as
  // a signal would stop it, and never exits 0 unless it had finished. A later write's error is the same pipe's.
  let stdoutClosed = false;
  process.stdout.on("error", (error: NodeJS.ErrnoException) => {
    if (stdoutClosed) return;
    if (error.code !== "EPIPE") throw error;
    stdoutClosed = true;
    // listen, mock and the MCP server stop gracefully on SIGTERM: the requests in flight are stored and
    // answered. Noted first, so that they end with the closed pipe's line and 141, not a clean stop's 0.
    if (stopSignalsClaimed()) {
      noteStdoutClosed();
      process.kill(process.pid, "SIGTERM");
    }
    else stop(process.exitCode === undefined || process.exitCode === 0 ? STDOUT_CLOSED : { ...STDOUT_CLOSED, code: Number(process.exitCode) });
  });
  // stderr closed too (`2>&1 | head`): there is no one left to tell.
  process.stderr.on("error", (error: NodeJS.ErrnoException) => {
    if (error.code !== "EPIPE") throw error;
  });

  // Ctrl+C (or SIGTERM) during a command that does not stop gracefully itself (simulate --retry
  // waiting out a backoff, smoke, replay, a prompt sent a signal rather than the keys): one line
  // and 130 (143). listen, mock and the MCP server claim the signals (claimStopSignals) and finish
  // what is in flight themselves.
  for (const [signal, stopsWith] of Object.entries(STOPS)) {
    process.on(signal, () => {
      if (stopSignalsClaimed()) return;
      stop(stopsWith);
    });
  }
}

function writeToStderr(text: string): void {
  try {
    process.stderr.write(text);
  } catch {
    // stderr is gone as well.
  }
}
