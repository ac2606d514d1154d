import { existsSync, mkdirSync } from "node:fs";
import { dirname, resolve } from "node:path";

/**
 * `mkdir -p`, one level at a time. Node's own recursive mkdirSync never returns for a path
 * under /proc (`--db /proc/self/x/events.db`): it retries the ENOENT forever, synchronously, so not
 * even a signal ends the process. One level at a time, that path fails with ENOENT like any other.
 */
export function makeDirectory(path: string, mode: number): void {
  const missing: string[] = [];
  for (let current = resolve(path); !existsSync(current); current = dirname(current)) {
    missing.push(current);
    if (dirname(current) === current) break;
  }
  for (const directory of missing.reverse()) {
    try {
      mkdirSync(directory, { mode });
    } catch (error) {
      // Another process made it in between.
      if ((error as NodeJS.ErrnoException).code !== "EEXIST") throw error;
    }
  }
}
