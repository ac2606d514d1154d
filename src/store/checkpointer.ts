import { createRequire } from "node:module";
import { Worker } from "node:worker_threads";
import type { Db } from "./database.js";

// Plain CommonJS so it runs the same from src/ (tests) and dist/ (the CLI) with no file to resolve.
const WORKER_SOURCE = `
const { workerData, parentPort } = require("node:worker_threads");
const { statSync } = require("node:fs");
const Database = require(workerData.driver);
const db = new Database(workerData.path);
const checkpoint = (mode, busyMs) => {
  db.pragma("busy_timeout = " + busyMs);
  try { db.pragma("wal_checkpoint(" + mode + ")"); } catch {}
};
const walSize = () => { try { return statSync(workerData.path + "-wal").size; } catch { return 0; } };
const timer = setInterval(() => {
  // PASSIVE copies almost everything without blocking anyone. Under steady load it never catches
  // the writer, so the WAL would only grow, and appending to a growing file costs every commit's
  // fsync a journal commit. RESTART then copies the few frames committed meanwhile and makes the
  // next commit write from the start of the file again, over blocks already allocated. It holds
  // the writer for that short copy, and waits at most 20 ms for the writer's commit or a reader
  // before giving up until the next round.
  checkpoint("PASSIVE", 0);
  checkpoint(walSize() > workerData.walLimitBytes ? "TRUNCATE" : "RESTART", 20);
}, workerData.intervalMs);
parentPort.on("message", () => {
  clearInterval(timer);
  checkpoint("TRUNCATE", 2000);
  db.close();
  parentPort.postMessage("stopped");
});
`;

export interface Checkpointer {
  stop(): Promise<void>;
}

/**
 * Moves WAL checkpoints off the request path: the writer's own automatic checkpoint (which
 * copies pages and fsyncs inside a commit) is turned off, and a worker thread with its own
 * connection checkpoints every `intervalMs` (see WORKER_SOURCE), truncating the WAL once it
 * passes `walLimitBytes`. A checkpoint copies each page changed since the last one once, however
 * often it changed: every second rather than every 250 ms, the pages that many rows share (the
 * random event_id index leaves, the tables' last pages) are copied and synced a quarter as often
 * (about 7 us of CPU per request instead of 22 at 10 connections, 5 instead of 12 at 64).
 */
export function startCheckpointer(db: Db, path: string, intervalMs = 1000, walLimitBytes = 64 * 1024 * 1024): Checkpointer {
  db.pragma("wal_autocheckpoint = 0");
  const driver = createRequire(import.meta.url).resolve("better-sqlite3");
  const worker = new Worker(WORKER_SOURCE, { eval: true, workerData: { driver, path, intervalMs, walLimitBytes } });
  worker.on("error", () => {
    // Checkpointing is housekeeping: if the worker dies, let the writer checkpoint itself again.
    db.pragma("wal_autocheckpoint = 1000");
  });
  return {
    stop() {
      return new Promise<void>((resolve) => {
        const done = () => void worker.terminate().then(() => resolve(), () => resolve());
        worker.once("message", done);
        worker.once("exit", () => resolve());
        worker.postMessage("stop");
      });
    },
  };
}
