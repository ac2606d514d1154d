import { statSync } from "node:fs";
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
// The store's file as it was when listen opened it: a path that is gone, or names another file,
// means it was deleted or replaced, and rows committed now go to a file no one can open again.
let goneSaid = !workerData.identity;
const checkIdentity = () => {
  if (goneSaid) return;
  let now;
  try { now = statSync(workerData.path, { bigint: true }); } catch (error) {
    if (error && error.code === "ENOENT") { goneSaid = true; parentPort.postMessage({ type: "gone", how: "deleted" }); }
    return;
  }
  if (String(now.dev) !== workerData.identity.dev || String(now.ino) !== workerData.identity.ino) {
    goneSaid = true;
    parentPort.postMessage({ type: "gone", how: "replaced" });
  }
};
const walSize = () => { try { return statSync(workerData.path + "-wal").size; } catch { return 0; } };
const timer = setInterval(() => {
  checkIdentity();
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
  parentPort.postMessage({ type: "stopped" });
});
`;

/** How the store's file went away under a running listen: its path is gone, or names another file. */
export type StoreGone = "deleted" | "replaced";

/** The file's device and inode, as strings (a bigint does not cross to the worker as such); undefined for an in-memory store. */
function fileIdentity(path: string): { dev: string; ino: string } | undefined {
  try {
    const stat = statSync(path, { bigint: true });
    return { dev: String(stat.dev), ino: String(stat.ino) };
  } catch {
    return undefined;
  }
}

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
 * Each round it also checks that the path still names the file opened (one stat a second, none
 * per request): `onStoreGone` is told once if the file was deleted or replaced.
 */
export function startCheckpointer(
  db: Db,
  path: string,
  intervalMs = 1000,
  walLimitBytes = 64 * 1024 * 1024,
  onStoreGone?: (how: StoreGone) => void,
): Checkpointer {
  db.pragma("wal_autocheckpoint = 0");
  const driver = createRequire(import.meta.url).resolve("better-sqlite3");
  const worker = new Worker(WORKER_SOURCE, { eval: true, workerData: { driver, path, intervalMs, walLimitBytes, identity: fileIdentity(path) } });
  worker.on("message", (message: { type: string; how?: StoreGone }) => {
    if (message.type === "gone" && message.how) onStoreGone?.(message.how);
  });
  worker.on("error", () => {
    // Checkpointing is housekeeping: if the worker dies, let the writer checkpoint itself again.
    db.pragma("wal_autocheckpoint = 1000");
  });
  return {
    stop() {
      return new Promise<void>((resolve) => {
        const done = () => void worker.terminate().then(() => resolve(), () => resolve());
        worker.on("message", (message: { type: string }) => {
          if (message.type === "stopped") done();
        });
        worker.once("exit", () => resolve());
        worker.postMessage("stop");
      });
    },
  };
}
