import { CATALOG, FAMILY_LABELS } from "../events/catalog.js";
import { fixturePath } from "../events/fixtures.js";
import { createOutput } from "../output/index.js";

export async function run(options: { json?: boolean }): Promise<void> {
  const out = createOutput({ json: options.json });
  if (options.json) {
    out.data(
      CATALOG.map((entry) => ({
        name: entry.name,
        family: entry.family,
        description: entry.description,
        job: entry.job,
        documented: entry.documented,
        source: entry.source,
        fixture: fixturePath(entry.name),
      })),
    );
    return;
  }
  out.table(
    ["EVENT", "FAMILY", "DESCRIPTION"],
    CATALOG.map((entry) => [
      entry.name,
      FAMILY_LABELS[entry.family],
      entry.description + (entry.documented ? "" : out.c.yellow(" (payload undocumented)")),
    ]),
  );
}
