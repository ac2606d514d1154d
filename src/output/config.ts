import type { Output } from "./index.js";

/** A setting as config list shows it: the value already masked where it is a secret, and where it comes from in words. */
export interface ConfigRow {
  key: string;
  value: string | null;
  from: string;
}

/** config list: a row per setting, a dimmed dash for one that has no value. */
export function printConfigTable(out: Output, rows: readonly ConfigRow[]): void {
  out.table(
    ["KEY", "VALUE", "FROM"],
    rows.map((row) => [row.key, row.value ?? out.c.dim("-"), row.from]),
  );
}
