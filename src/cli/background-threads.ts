import { readdirSync } from "node:fs";
import { setPriority } from "node:os";

/** How far the helper threads step back: they yield to the receiver, and still run on a machine with CPU to spare. */
const HELPER_THREAD_NICENESS = 10;

let done = false;

/**
 * For a command that sends a burst and then exits (a run of simulate, replay or smoke past 20
 * deliveries): lowers the scheduling priority of this process's threads other than the main one.
 * Those are V8's helper threads, started with the process: they compile hot functions with
 * TurboFan in the background (about 0.5 s of CPU in a run of 10,000 deliveries) and help the
 * garbage collector. The app receiving the burst is usually on the same machine (a laptop, a
 * 2-core CI runner), and it is what the run waits on: at the default priority the compiler takes
 * that CPU from it, at a lower one it uses what is left over. The main thread keeps its priority.
 * So does libuv's pool when it starts after this (a thread inherits its creator's); one already
 * running is lowered with the rest, which costs a run at most a slower DNS lookup per connection.
 * bench/throughput-2026-11-30.md, "Eighth stop", has the measurements.
 *
 * Linux only: elsewhere a thread has no id setpriority() accepts. A thread that cannot be changed
 * keeps its priority; nothing here can fail a run.
 */
export function lowerHelperThreadPriority(): void {
  if (done) return;
  done = true;
  for (const id of ownThreadIds()) {
    if (id === process.pid) continue;
    try {
      setPriority(id, HELPER_THREAD_NICENESS);
    } catch {
      // Gone since it was listed, or not ours to change: it keeps its priority.
    }
  }
}

function ownThreadIds(): number[] {
  if (process.platform !== "linux") return [];
  try {
    return readdirSync("/proc/self/task").map(Number);
  } catch {
    return [];
  }
}
