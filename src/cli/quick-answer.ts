import { readFileSync } from "node:fs";
import { VERSION } from "../version.js";

/** The build's snapshot of the top-level --help (scripts/write-help-snapshot.js); absent when run from source. */
function helpSnapshot(): string | undefined {
  try {
    // dist/help.txt, from dist/cli/ and from the fast commands' bundle in dist/fast/ alike.
    return readFileSync(new URL("../help.txt", import.meta.url), "utf8");
  } catch {
    return undefined;
  }
}

/**
 * What `--version`, `--help` and no arguments print, answered without building the program:
 * scripts ask for the version often. Undefined when argv asks for anything else (or when there
 * is no help snapshot, from source: commander prints the help then).
 */
export function quickAnswer(argv: readonly string[]): string | undefined {
  if (argv.length === 3 && (argv[2] === "--version" || argv[2] === "-v")) return `${VERSION}\n`;
  // No arguments at all is a request for help too, as with most CLIs: not a usage error.
  const asksForHelp = argv.length === 2 || (argv.length === 3 && (argv[2] === "--help" || argv[2] === "-h"));
  return asksForHelp ? helpSnapshot() : undefined;
}
