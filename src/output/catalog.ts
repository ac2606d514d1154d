import { FAMILY_LABELS, type CatalogEntry } from "../events/catalog.js";
import { fixturePath } from "../events/fixtures.js";
import type { Output } from "./index.js";

/** fixtures list: each event of the catalog with its family and description, marked where Pinwheel does not document its payload. */
export function printCatalogTable(out: Output, entries: readonly CatalogEntry[]): void {
  out.table(
    ["EVENT", "FAMILY", "DESCRIPTION"],
    entries.map((entry) => [
      entry.name,
      FAMILY_LABELS[entry.family],
      entry.description + (entry.documented ? "" : out.c.yellow(" (payload undocumented)")),
    ]),
  );
}

/** fixtures list --json: each catalog entry, with the path of its fixture file. */
export function catalogJson(entries: readonly CatalogEntry[]): Record<string, unknown>[] {
  return entries.map((entry) => ({
    name: entry.name,
    family: entry.family,
    description: entry.description,
    job: entry.job,
    documented: entry.documented,
    source: entry.source,
    fixture: fixturePath(entry.name),
  }));
}
