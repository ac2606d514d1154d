import type { Command } from "commander";

/** `verify` and `completion`: helping users fix their own handler. */
export function registerToolingCommands(program: Command): void {
  void program;
}
