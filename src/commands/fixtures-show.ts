import { buildEvent } from "../events/build.js";
import { createOutput } from "../output/index.js";
import { eventNameOrUsageError } from "./shared.js";

/**
 * Prints the body simulate would send. Piped, it is byte for byte what simulate sends (compact
 * JSON); on a terminal it is indented for reading.
 */
export async function run(eventArg: string): Promise<void> {
  const out = createOutput();
  const envelope = buildEvent(eventNameOrUsageError(eventArg));
  if (out.settings.stdoutIsTty) out.data(envelope);
  else out.line(JSON.stringify(envelope));
}
