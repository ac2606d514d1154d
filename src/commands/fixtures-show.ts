import { buildEvent } from "../events/build.js";
import { createOutput } from "../output/index.js";
import { eventNameOrUsageError } from "./shared.js";

/**
 * Prints the body simulate would send. Piped or with --json, it is byte for byte what simulate
 * sends (compact JSON); on a terminal it is indented for reading.
 */
export async function run(eventArg: string, options: { json?: boolean } = {}): Promise<void> {
  const out = createOutput();
  const envelope = buildEvent(eventNameOrUsageError(eventArg));
  if (out.settings.stdoutIsTty && !options.json) out.data(envelope);
  else out.line(JSON.stringify(envelope));
}
