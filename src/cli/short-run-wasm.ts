import { createRequire } from "node:module";

let done = false;

/**
 * For a command that sends over undici and then exits (a run of simulate, replay or smoke past
 * 20 deliveries, the conformance suite): keeps WebAssembly on V8's baseline compiler. undici
 * parses answers with a WebAssembly build of llhttp; on Node 20, V8 optimises its hot functions
 * on background threads and the process then waits for that work before it can exit, about
 * 240 ms of wall time and 0.2 s of CPU after the last delivery (simulate --count 21: 0.47 s ->
 * 0.25 s). The baseline code parses a run's answers as fast (the bare sender, 10,000 deliveries:
 * 1.30 s of CPU against 1.48 s, medians of 3). The flag is process-wide and llhttp is the only
 * WebAssembly the CLI runs; long-lived servers (listen, mock) do not call this.
 * Called before undici compiles llhttp (at its first connection); later calls do nothing.
 */
export function keepWasmOnBaselineCompiler(): void {
  if (done) return;
  done = true;
  // node:v8 is required here, not imported: a command that never uses undici should not load it (4 ms).
  const v8 = createRequire(import.meta.url)("node:v8") as typeof import("node:v8");
  v8.setFlagsFromString("--liftoff-only");
}
