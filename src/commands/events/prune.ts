import { statSync } from "node:fs";
import { resolveDbPath } from "../../config.js";
import { usageError } from "../../errors.js";
import { createOutput } from "../../output/index.js";
import { canPrompt, promptConfirm } from "../../output/prompts.js";
import { openDatabase } from "../../store/database.js";
import { countPrunable, pruneRequests, type PruneSelection } from "../../store/requests.js";

export interface EventsPruneOptions {
  /** An ISO time (the `since` parser turned 7d into one). */
  before?: string;
  all?: boolean;
  yes?: boolean;
  dryRun?: boolean;
  vacuum?: boolean;
  db?: string;
  json?: boolean;
}

/** The store's bytes on disk: the file and its write-ahead log. */
function storeBytes(path: string): number {
  let total = 0;
  for (const file of [path, `${path}-wal`]) {
    try {
      total += statSync(file).size;
    } catch {
      // No log: nothing to add.
    }
  }
  return total;
}

function megabytes(bytes: number): string {
  return `${(bytes / 1024 / 1024).toFixed(1)} MB`;
}

export async function run(options: EventsPruneOptions): Promise<void> {
  const out = createOutput({ json: options.json });
  if (options.before !== undefined && options.all) throw usageError("pass either --before <when> or --all, not both");
  if (options.before === undefined && !options.all) throw usageError("say what to delete: --before <when> (e.g. 7d, 2026-11-01) or --all");
  const selection: PruneSelection = options.all ? { all: true } : { before: options.before ?? "" };
  const path = resolveDbPath(options.db);
  // Counting alone reads: a store this user cannot write counts too.
  const db = openDatabase(path, { mustExist: true, readOnly: Boolean(options.dryRun) });
  try {
    const counted = countPrunable(db, selection);
    const what = `${counted.deleted} stored request${counted.deleted === 1 ? "" : "s"}${counted.deletedAttempts ? ` and ${counted.deletedAttempts} delivery attempts of them` : ""}`;
    if (options.dryRun) {
      if (options.json) out.data({ deleted: counted.deleted, deleted_attempts: counted.deletedAttempts, dry_run: true });
      else out.line(`Would delete ${what} from ${path}`);
      return;
    }
    if (counted.deleted === 0 && !options.vacuum) {
      const bytes = storeBytes(path);
      if (options.json) out.data({ deleted: 0, deleted_attempts: 0, dry_run: false, vacuumed: false, bytes_before: bytes, bytes_after: bytes });
      else out.line(`Nothing to delete in ${path}`);
      return;
    }
    // With nothing to delete, --vacuum alone shrinks what an earlier prune freed: no question to ask.
    if (!options.yes && counted.deleted > 0) {
      if (!canPrompt(out.settings)) throw usageError(`this deletes ${what}; confirm with --yes (or see the count with --dry-run)`);
      if (!(await promptConfirm("--yes", { message: `Delete ${what} from ${path}?` }, out.settings))) {
        out.notice("Nothing was deleted.");
        return;
      }
    }
    const bytesBefore = storeBytes(path);
    const result = pruneRequests(db, selection);
    // Freed pages are reused by later requests; the log is folded back and truncated now, and
    // --vacuum rewrites the file to its new size (it waits for, then briefly blocks, other writers).
    db.pragma("wal_checkpoint(TRUNCATE)");
    if (options.vacuum) {
      db.exec("VACUUM");
      db.pragma("wal_checkpoint(TRUNCATE)");
    }
    const bytesAfter = storeBytes(path);
    if (options.json) {
      out.data({
        deleted: result.deleted,
        deleted_attempts: result.deletedAttempts,
        dry_run: false,
        vacuumed: Boolean(options.vacuum),
        bytes_before: bytesBefore,
        bytes_after: bytesAfter,
      });
      return;
    }
    out.line(`Deleted ${result.deleted} stored request${result.deleted === 1 ? "" : "s"}${result.deletedAttempts ? ` and ${result.deletedAttempts} delivery attempts` : ""} from ${path}`);
    out.notice(`${path}: ${megabytes(bytesBefore)} before, ${megabytes(bytesAfter)} after${options.vacuum ? "" : " (freed pages are reused; --vacuum shrinks the file)"}`);
  } finally {
    db.close();
  }
}
