import { loadScenario } from "../../events/scenario.js";
import { createOutput } from "../../output/index.js";
import { printScenario } from "../../output/scenario.js";

export async function run(nameOrFile: string, options: { json?: boolean }): Promise<void> {
  const out = createOutput({ json: options.json });
  const scenario = loadScenario(nameOrFile);
  if (options.json) {
    out.data(scenario);
    return;
  }
  printScenario(out, scenario);
}
