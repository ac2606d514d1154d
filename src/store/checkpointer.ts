import { createRequire } from "node:module";
import { Worker } from "node:worker_threads";
import type { Db } from "./database.js";

// Plain CommonJS so it runs the same from src/ (tests) and dist/ (the CLI) with no file to resolve.
const WORKER_SOURCE = `
const { workerData, parentPort } = require("node:worker_threads");
const { statSync } = require("node:fs");
const Database = require(workerData.driver);
const db = new Database(workerData.path);
db.pragma("busy_timeout = 2000");
const checkpoint = (mode) => { try { db.pragma("wal_checkpoint(" + mode + ")"); } catch {} };
const walSize = () => { try { return statSync(workerData.path + "-wal").size; } catch { return 0; } };
const timer = setInterval(() => {
  // Under steady load a passive checkpoint never catches the writer, so the WAL only grows;
  // past the limit, TRUNCATE makes the writer pause once (briefly: PASSIVE copied most pages).
  checkpoint(walSize() > workerData.walLimitBytes ? "TRUNCATE" : "PASSIVE");
}, workerData.intervalMs);
parentPort.on("message", () => {
  clearInterval(timer);
  checkpoint("TRUNCATE");
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
 * connection checkpoints passively (never blocking writers) every `intervalMs`, truncating the
 * WAL once it passes `walLimitBytes`.
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
