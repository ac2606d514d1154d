import { resolveDbPath } from "../config.js";
import { storeMustExist } from "./store-must-exist.js";
import { openDatabase, type Db, type OpenOptions } from "../store/database.js";

/**
 * The event store for a command that only reads it. A path the user chose (--db,
 * PINWHEEL_CLI_DB, config) must exist, so a typo is reported instead of answered from a new empty
 * file; the default one is created, so a first `events list` simply finds nothing. A command that
 * never writes passes readOnly: an existing store is then read as it is, unwritable or older.
 */
export function openStoreForReading(dbOption: string | undefined, options: Pick<OpenOptions, "mapBytes" | "readOnly"> = {}): { db: Db; path: string } {
  const path = resolveDbPath(dbOption);
  return { path, db: openDatabase(path, { ...options, mustExist: storeMustExist(path) }) };
}
