import { loadScenario } from "../../events/scenario.js";
import { createOutput } from "../../output/index.js";
import { describeScenario } from "../../output/scenario.js";

export async function run(nameOrFile: string, options: { json?: boolean }): Promise<void> {
  const out = createOutput({ json: options.json });
  const scenario = loadScenario(nameOrFile);
  if (options.json) {
    out.data(scenario);
    return;
  }
  out.line(`${out.c.bold(scenario.name)}: ${scenario.description}`);
  if (scenario.source) out.line(out.c.dim(`Follows ${scenario.source}`));
  out.line("");
  for (const line of describeScenario(scenario)) out.line(line);
}
