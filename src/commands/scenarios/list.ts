import { builtInScenarioNames, loadScenario } from "../../events/scenario.js";
import { createOutput } from "../../output/index.js";
import { plannedDeliveries } from "../../cli/play-scenario.js";

export async function run(options: { json?: boolean }): Promise<void> {
  const out = createOutput({ json: options.json });
  const scenarios = builtInScenarioNames().map(loadScenario);
  if (options.json) {
    out.data(scenarios.map((s) => ({ name: s.name, description: s.description, source: s.source ?? null, deliveries: plannedDeliveries(s) })));
    return;
  }
  out.table(
    ["SCENARIO", "DELIVERIES", "DESCRIPTION"],
    scenarios.map((s) => [s.name, String(plannedDeliveries(s)), s.description]),
  );
}
