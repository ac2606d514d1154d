import { readFileSync } from "node:fs";
import { ResourceTemplate, type McpServer } from "@modelcontextprotocol/sdk/server/mcp.js";
import { ErrorCode, McpError } from "@modelcontextprotocol/sdk/types.js";
import { CATALOG, isEventName } from "../events/catalog.js";
import { fixturePath } from "../events/fixtures.js";
import { builtInScenarioNames, loadScenario } from "../events/scenario.js";

/** A resource the client named that does not exist: -32602 Invalid params, as the SDK answers an unknown URI (not -32603). */
function unknownResource(message: string): McpError {
  return new McpError(ErrorCode.InvalidParams, message);
}

const FIXTURE_PREFIX = "pinwheel://fixtures/";
const SCENARIO_PREFIX = "pinwheel://scenarios/";

function one(value: string | string[]): string {
  return Array.isArray(value) ? (value[0] ?? "") : value;
}

/** Each event's fixture and each built-in scenario, readable by the agent as JSON. */
export function registerResources(server: McpServer): void {
  server.registerResource(
    "fixture",
    new ResourceTemplate(`${FIXTURE_PREFIX}{event}`, {
      list: () => ({
        resources: CATALOG.map((entry) => ({
          uri: `${FIXTURE_PREFIX}${entry.name}`,
          name: entry.name,
          description: `${entry.description}${entry.documented ? "" : " (payload undocumented by Pinwheel)"}`,
          mimeType: "application/json",
        })),
      }),
      complete: { event: (value) => CATALOG.map((entry) => entry.name).filter((name) => name.startsWith(value)) },
    }),
    {
      title: "Event fixture",
      description: "The body simulate_event builds an event from (before its fresh event_id, timestamps and overrides).",
      mimeType: "application/json",
    },
    (uri, variables) => {
      const event = one(variables.event ?? "");
      if (!isEventName(event)) throw unknownResource(`no fixture for "${event}"; list_event_types shows every event`);
      return { contents: [{ uri: uri.href, mimeType: "application/json", text: readFileSync(fixturePath(event), "utf8") }] };
    },
  );

  server.registerResource(
    "scenario",
    new ResourceTemplate(`${SCENARIO_PREFIX}{name}`, {
      list: () => ({
        resources: builtInScenarioNames().map((name) => {
          const scenario = loadScenario(name);
          return { uri: `${SCENARIO_PREFIX}${name}`, name, description: scenario.description, mimeType: "application/json" };
        }),
      }),
      complete: { name: (value) => builtInScenarioNames().filter((name) => name.startsWith(value)) },
    }),
    {
      title: "Scenario",
      description: "A built-in sequence of deliveries (duplicates, out-of-order, pending then result) that run_smoke can play.",
      mimeType: "application/json",
    },
    (uri, variables) => {
      const name = one(variables.name ?? "");
      // Only built-in names: a resource URI must not become a way to read any file on the machine.
      if (!builtInScenarioNames().includes(name)) throw unknownResource(`no built-in scenario "${name}"; built-in: ${builtInScenarioNames().join(", ")}`);
      return { contents: [{ uri: uri.href, mimeType: "application/json", text: JSON.stringify(loadScenario(name), null, 2) }] };
    },
  );
}
