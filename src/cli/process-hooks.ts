import { INTERRUPTED_PREFIX } from "../errors.js";
import { saveBeforeExit } from "../interrupt.js";

/** The process-wide handlers every entry point installs once (src/main.ts and the fast commands' bundle). */
export function installProcessHooks(): void {
  // `pinwheel-cli ... | head` closes the pipe early: that is the reader's choice, not a failure.
  process.stdout.on("error", (error: NodeJS.ErrnoException) => {
    if (error.code === "EPIPE") process.exit(process.exitCode ?? 0);
    throw error;
  });

  // Ctrl+C during a command that does not stop gracefully itself (simulate --retry waiting out a
  // backoff, smoke, replay): one line and 130. listen and mock add their own handler, finish what is in
  // flight and then throw interrupted(), which ends in the same line and code.
  // A run of deliveries first writes the attempts it made (src/interrupt.ts); a second Ctrl+C does not wait.
  let interrupting = false;
  process.on("SIGINT", () => {
    if (process.listenerCount("SIGINT") > 1) return;
    const exit = () => {
      process.stderr.write(`${INTERRUPTED_PREFIX}\n`);
      process.exit(130);
    };
    if (interrupting) exit();
    interrupting = true;
    void saveBeforeExit().finally(exit);
  });
}
