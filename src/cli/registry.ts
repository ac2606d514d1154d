import type { Command } from "commander";

/** `webhooks`, `mock` and `config`: registering endpoints with Pinwheel or the local stand-in. */
export function registerRegistryCommands(program: Command): void {
  void program;
}
