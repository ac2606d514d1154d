/**
 * The event database cannot be used. It carries the file and what is wrong as data, and says it
 * without naming any flag; the CLI adds its --db advice, other adapters their own.
 */
export type StoreProblem =
  /** A path given to read from has no file (the store is not created there). */
  | "missing"
  /** The file is not a SQLite database, or a damaged one. */
  | "not_a_database"
  /** Another process holds the write lock past the busy timeout. */
  | "locked"
  /** The file or its directory cannot be written (permissions, a read-only disk). */
  | "unwritable"
  /** A newer pinwheel-cli migrated it past the schema this one knows. */
  | "newer_schema"
  /** better-sqlite3's native addon is missing or built for another Node (its install script did not run). */
  | "driver_unavailable"
  /** Anything else SQLite or the file system refused. */
  | "cannot_open";

export interface StoreErrorData {
  kind: StoreProblem;
  /** The database file. */
  file: string;
  /** What SQLite or the file system said, when it said something. */
  detail?: string;
  /** newer_schema: the file's schema version and the newest this build knows. */
  version?: { found: number; supported: number };
  /** newer_schema: the pinwheel-cli that migrated it, when the store records it. */
  writtenBy?: string;
  /**
   * driver_unavailable: "not_built" when the addon file is not there at all (its install script
   * never ran: a package manager skipped it), "unloadable" when it is there but cannot be loaded
   * (built for another Node, or damaged): the first needs the build allowed, the second a rebuild.
   */
  addon?: "not_built" | "unloadable";
}

/** A path as one shell word, for a command line to paste. */
function shellWord(path: string): string {
  return /^[\w./+:@-]+$/.test(path) ? path : `'${path.replace(/'/g, "'\\''")}'`;
}

function describe(data: StoreErrorData): string {
  const detail = data.detail ?? "";
  switch (data.kind) {
    case "missing":
      return `no event database at ${data.file}; check the path (listen creates one when it starts)`;
    case "not_a_database":
      // sqlite3's .recover copies out whatever rows a damaged file still holds.
      return /malformed|corrupt/i.test(detail)
        ? `${data.file} is not a usable pinwheel-cli database (${detail}); to save its rows, run: sqlite3 ${shellWord(data.file)} ".recover" | sqlite3 recovered.db`
        : `${data.file} is not a usable pinwheel-cli database (${detail})`;
    case "locked":
      return `${data.file} is locked by another process`;
    case "unwritable":
      return `cannot write the event database at ${data.file} (${detail})`;
    case "newer_schema":
      return `${data.file}: the database is at schema version ${data.version?.found ?? "?"}, newer than this pinwheel-cli understands (${data.version?.supported ?? "?"}); ${
        data.writtenBy ? `${data.writtenBy} wrote it: run that one` : "a newer pinwheel-cli wrote it: run that one"
      }, or move the file aside to start a new store`;
    case "driver_unavailable":
      return `cannot open the event database at ${data.file}: the SQLite driver better-sqlite3 has no usable native addon (${detail})`;
    case "cannot_open":
      return `cannot open the event database at ${data.file}: ${detail}`;
  }
}

export class StoreError extends Error implements StoreErrorData {
  readonly kind: StoreProblem;
  readonly file: string;
  readonly detail?: string;
  readonly version?: { found: number; supported: number };
  readonly writtenBy?: string;
  readonly addon?: "not_built" | "unloadable";

  constructor(data: StoreErrorData) {
    super(describe(data));
    this.name = "StoreError";
    this.kind = data.kind;
    this.file = data.file;
    if (data.detail !== undefined) this.detail = data.detail;
    if (data.version) this.version = data.version;
    if (data.writtenBy !== undefined) this.writtenBy = data.writtenBy;
    if (data.addon !== undefined) this.addon = data.addon;
  }
}

export function isStoreError(error: unknown): error is StoreError {
  return error instanceof StoreError;
}
