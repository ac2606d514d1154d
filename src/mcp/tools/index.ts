import type { ToolDefinition } from "../tool.js";
import { getRequest } from "./get-request.js";
import { listEventTypes } from "./list-event-types.js";
import { listRequests } from "./list-requests.js";
import { replayRequest } from "./replay-request.js";
import { runSmoke } from "./run-smoke.js";
import { simulateEvent } from "./simulate-event.js";
import { verifyRequest } from "./verify-request.js";

/**
 * Every tool the server offers, in the order clients list them. A new tool (run_conformance,
 * sandbox_connect) is one file exporting a defineTool(...) and one line here.
 */
export const TOOLS: readonly ToolDefinition[] = [
  listEventTypes,
  simulateEvent,
  listRequests,
  getRequest,
  verifyRequest,
  replayRequest,
  runSmoke,
];
