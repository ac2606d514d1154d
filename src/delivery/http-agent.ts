import { createRequire } from "node:module";
import type { Agent, Dispatcher } from "undici";

/** What the delivery engine uses of undici: a keep-alive Agent and its request(). */
export interface HttpAgent {
  request(options: Dispatcher.RequestOptions): Promise<Dispatcher.ResponseData>;
  close(): Promise<void>;
  /** Ends every request in flight (each fails as a network error) and closes. */
  destroy(): Promise<void>;
}

const require = createRequire(import.meta.url);

type AgentClass = new (options: Agent.Options) => Dispatcher;
type RequestFunction = (this: Dispatcher, options: Dispatcher.RequestOptions) => Promise<Dispatcher.ResponseData>;

let loaded: { Agent: AgentClass; request: RequestFunction } | undefined;

/**
 * undici's Agent and request() alone. The package's entry point loads all of undici (fetch,
 * WebSocket, EventSource, the caches, mocks): about two thirds of its start-up cost, which a
 * one-shot `simulate` pays for nothing. undici 7 has no exports map, so its files can be
 * required directly; should a release move them, the whole package is loaded instead.
 */
function undiciParts(): { Agent: AgentClass; request: RequestFunction } {
  if (loaded) return loaded;
  try {
    loaded = {
      Agent: require("undici/lib/dispatcher/agent.js") as AgentClass,
      request: require("undici/lib/api/api-request.js") as RequestFunction,
    };
  } catch {
    const undici = require("undici") as typeof import("undici");
    loaded = { Agent: undici.Agent, request: undici.Dispatcher.prototype.request as unknown as RequestFunction };
  }
  return loaded;
}

export function createHttpAgent(options: Agent.Options): HttpAgent {
  const { Agent: AgentClass, request } = undiciParts();
  const agent = new AgentClass(options);
  return {
    request: (requestOptions) => request.call(agent, requestOptions),
    close: () => agent.close(),
    destroy: () => agent.destroy(),
  };
}
