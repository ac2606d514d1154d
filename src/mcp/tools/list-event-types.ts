import { z } from "zod";
import { CATALOG, FAMILY_LABELS, type EventFamily } from "../../events/catalog.js";
import { defineTool } from "../tool.js";

export const listEventTypes = defineTool({
  name: "list_event_types",
  title: "List Pinwheel webhook event types",
  description:
    "Lists every Pinwheel webhook event pinwheel-cli can simulate: its name (what simulate_event takes), its family, " +
    "whether it is a job event (its payload carries an outcome of success, error or pending), whether Pinwheel documents " +
    "its payload (undocumented ones are built from the nearest documented shape), and the docs' one-line description. " +
    "Read a body with the resource pinwheel://fixtures/<event>. Optionally filter by family.",
  input: {
    family: z
      .enum(Object.keys(FAMILY_LABELS) as [EventFamily, ...EventFamily[]])
      .optional()
      .describe("only events of this family"),
  },
  sends: false,
  async run({ family }) {
    const events = CATALOG.filter((entry) => family === undefined || entry.family === family).map((entry) => ({
      name: entry.name,
      family: entry.family,
      job: entry.job,
      documented: entry.documented,
      description: entry.description,
    }));
    const text = events.map((e) => `${e.name}${e.job ? " (job)" : ""}${e.documented ? "" : " (payload undocumented)"}: ${e.description}`).join("\n");
    return { data: { events }, text: `${events.length} event types\n${text}` };
  },
});
