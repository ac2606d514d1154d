import { createRequire } from "node:module";
import type { Agent, buildConnector, Dispatcher } from "undici";
import { lookupLocalhostAsLoopback } from "../loopback-lookup.js";

/** What the delivery engine uses of undici: a keep-alive Agent and its dispatch(). */
export interface HttpAgent {
  /** undici's lowest level: the handler's callbacks get the status and the answer's chunks, with no stream per answer. */
  dispatch(options: Dispatcher.DispatchOptions, handler: Dispatcher.DispatchHandler): boolean;
  close(): Promise<void>;
  /** Ends every request in flight (each fails as a network error) and closes. */
  destroy(): Promise<void>;
}

const require = createRequire(import.meta.url);

type AgentClass = new (options: Agent.Options) => Dispatcher;

let loaded: { Agent: AgentClass } | undefined;

/**
 * undici's Agent alone. The package's entry point loads all of undici (fetch,
 * WebSocket, EventSource, the caches, mocks): about two thirds of its start-up cost, which a
 * one-shot `simulate` pays for nothing. undici 7 has no exports map, so its files can be
 * required directly; should a release move them, the whole package is loaded instead.
 */
function undiciParts(): { Agent: AgentClass } {
  if (loaded) return loaded;
  try {
    loaded = { Agent: require("undici/lib/dispatcher/agent.js") as AgentClass };
  } catch {
    loaded = { Agent: (require("undici") as typeof import("undici")).Agent };
  }
  return loaded;
}

/** A keep-alive Agent whose connections to localhost names go to loopback (src/loopback-lookup.ts). */
export function createHttpAgent(options: Omit<Agent.Options, "connect"> & { connect?: buildConnector.BuildOptions }): HttpAgent {
  const { Agent: AgentClass } = undiciParts();
  const agent = new AgentClass({ ...options, connect: { ...options.connect, lookup: lookupLocalhostAsLoopback } });
  return {
    dispatch: (dispatchOptions, handler) => agent.dispatch(dispatchOptions, handler),
    close: () => agent.close(),
    destroy: () => agent.destroy(),
  };
}
