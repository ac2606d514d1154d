import { buildEvent } from "../events/build.js";
import type { WebhookEnvelope } from "../events/fixtures.js";
import { createOutput } from "../output/index.js";
import { eventNameOrUsageError } from "./shared.js";

/**
 * The body simulate would send. Piped or with --json, it is byte for byte what simulate sends
 * (compact JSON); on a terminal it is indented for reading.
 */
export function fixtureText(envelope: WebhookEnvelope, where: { terminal: boolean; json?: boolean }): string {
  return where.terminal && !where.json ? JSON.stringify(envelope, null, 2) : JSON.stringify(envelope);
}

export async function run(eventArg: string, options: { json?: boolean } = {}): Promise<void> {
  const out = createOutput();
  const envelope = buildEvent(eventNameOrUsageError(eventArg));
  out.line(fixtureText(envelope, { terminal: out.settings.stdoutIsTty, json: options.json }));
}
