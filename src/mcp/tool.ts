import type { z } from "zod";
import type { ResolvedSecret } from "../config.js";
import type { Target } from "../registry/target.js";

/** What every tool may use: the settings `pinwheel-cli mcp` was started with, resolved once. */
export interface McpContext {
  /** --db as given; each tool resolves it as the CLI does (flag, PINWHEEL_CLI_DB, config, data directory). */
  db: string | undefined;
  /** The API secret that signs and verifies. Never put it in a result: the server redacts it, but do not rely on that. */
  secret: ResolvedSecret;
  /** mcp --allow-remote: tools may send to hosts other than this machine. */
  allowRemote: boolean;
  /** Where webhooks are registered (--env / --base-url), for tools that talk to Pinwheel or its stand-in. */
  registry: Target;
  /** One line to the server's log (stderr): never stdout, which carries the protocol. */
  log(line: string): void;
  /**
   * How far a long tool call has got, for a client that asked (its progressToken): clients that
   * reset their request timeout on progress then wait for a run longer than their default 60 s.
   */
  progress?(done: number, total: number, message: string): void;
  /**
   * Aborted when the client cancels the call (notifications/cancelled) or the connection ends
   * (stdin closed): a tool that sends stops sending, abandons what is in flight and returns.
   */
  signal?: AbortSignal;
}

/** A tool's answer: the structured result, and a few lines a model (or a person) can read at a glance. */
export interface ToolOutcome {
  data: Record<string, unknown>;
  text: string;
}

/**
 * One MCP tool: a name, a one-paragraph description written for a model, a zod input shape, and
 * the function that does the work by calling the same core the CLI commands call. Adding a tool
 * is a file that exports one of these, listed in tools/index.ts.
 */
export interface ToolDefinition<Shape extends z.ZodRawShape = z.ZodRawShape> {
  name: string;
  title: string;
  description: string;
  input: Shape;
  /** True when the tool sends HTTP requests (its target is checked, its deliveries recorded). */
  sends: boolean;
  run(args: z.infer<z.ZodObject<Shape>>, context: McpContext): Promise<ToolOutcome>;
}

/** Keeps a tool's argument types tied to its input shape. */
export function defineTool<Shape extends z.ZodRawShape>(tool: ToolDefinition<Shape>): ToolDefinition<Shape> {
  return tool;
}
