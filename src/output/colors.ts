import type { ChalkInstance } from "chalk";
import { terminalSettings } from "../config.js";

let chalk: typeof import("chalk") | undefined;

/**
 * Loads chalk when this process colours its output (a terminal, or FORCE_COLOR): on a pipe, under
 * NO_COLOR and in CI, where one-shot commands run dozens of times, it is not needed. The CLI calls
 * this once before a command runs; loading it here rather than with a top-level await keeps the
 * output layer loadable from the CommonJS bundle of the fast commands (scripts/bundle-fast.js).
 */
export async function prepareColors(color: boolean = terminalSettings().color): Promise<void> {
  if (color) chalk ??= await import("chalk");
}

/** Styles without colour: every style, chained or not, gives its text back unchanged. */
export const plainColors: ChalkInstance = (() => {
  const apply = (...texts: unknown[]) => texts.join(" ");
  const styles: ChalkInstance = new Proxy(apply, {
    // Not a thenable, nor anything but styles: "then" and symbols are absent.
    get: (_target, key) => (key === "level" ? 0 : key === "then" || typeof key === "symbol" ? undefined : styles),
  }) as unknown as ChalkInstance;
  return styles;
})();

/** Colours for settings that ask for them, if prepareColors() loaded chalk; plain styles otherwise (tests, the MCP server). */
export function colorsFor(color: boolean): ChalkInstance {
  return color && chalk ? new chalk.Chalk({ level: 1 }) : plainColors;
}
