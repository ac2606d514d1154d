import type { ToolDefinition } from "../tool.js";
import { getRequest } from "./get-request.js";
import { listEventTypes } from "./list-event-types.js";
import { listRequests } from "./list-requests.js";
import { replayRequest } from "./replay-request.js";
import { runConformanceTool } from "./run-conformance.js";
import { runSmoke } from "./run-smoke.js";
import { sandboxAccounts } from "./sandbox-accounts.js";
import { sandboxConnect } from "./sandbox-connect.js";
import { simulateEvent } from "./simulate-event.js";
import { verifyRequest } from "./verify-request.js";

/**
 * Every tool the server offers, in the order clients list them. A new tool is one file exporting a defineTool(...) and one line here.
 */
export const TOOLS: readonly ToolDefinition[] = [
  listEventTypes,
  simulateEvent,
  listRequests,
  getRequest,
  verifyRequest,
  replayRequest,
  runSmoke,
  runConformanceTool,
  sandboxConnect,
  sandboxAccounts,
];
