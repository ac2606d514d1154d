import { setMaxListeners } from "node:events";
import { saveOnInterrupt } from "../interrupt.js";
import type { AttemptRecorder } from "./recorder.js";
import type { HttpSender } from "./sender.js";

/** The part of a run of deliveries that keeps its attempt log whole and bounded. */
export interface StoppableRun {
  /**
   * Aborted by Ctrl+C: given to deliveries that may wait for a retry, it ends the wait (attempts
   * in flight are ended through the sender, with no listener per attempt).
   */
  readonly signal: AbortSignal;
  /**
   * Starts a delivery once the attempt log has room (a run waits for its writer rather than
   * outrunning it). Once interrupted, no delivery starts and none returns: the process exits
   * as soon as the attempts made are written.
   */
  run<T>(delivery: () => Promise<T>): Promise<T>;
  /** The run is over: Ctrl+C is no longer its business. */
  release(): void;
}

const never = <T>() => new Promise<T>(() => {});

/**
 * `stopped` words what an interrupted run leaves (for the line the process ends with), given how
 * many deliveries were in flight and abandoned.
 */
export function stoppableRun(recorder: () => AttemptRecorder, sender: () => HttpSender, stopped?: (abandoned: number) => string | undefined): StoppableRun {
  const controller = new AbortController();
  // One signal for every delivery in flight (64 by default): not a leak.
  setMaxListeners(0, controller.signal);
  const inFlight = new Set<Promise<unknown>>();
  const release = saveOnInterrupt(async () => {
    controller.abort();
    const abandoned = inFlight.size;
    // Each abandoned attempt is recorded (a network error saying it was abandoned) when its delivery returns.
    await sender().abandon?.();
    await Promise.allSettled(inFlight);
    await recorder().flush();
    return stopped?.(abandoned);
  });
  return {
    signal: controller.signal,
    async run<T>(delivery: () => Promise<T>): Promise<T> {
      const log = recorder();
      if (log.full) await log.room();
      if (controller.signal.aborted) return never<T>();
      const sending = delivery();
      inFlight.add(sending);
      try {
        await sending;
      } finally {
        inFlight.delete(sending);
      }
      return controller.signal.aborted ? never<T>() : sending;
    },
    release,
  };
}
