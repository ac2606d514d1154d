import { FAMILY_LABELS, type CatalogEntry } from "../events/catalog.js";
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
