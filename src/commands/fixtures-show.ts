import { buildEvent } from "../events/build.js";
import type { WebhookEnvelope } from "../events/fixtures.js";
import { applyApiVersion, changesFor } from "../events/versions.js";
import { createOutput } from "../output/index.js";
import { eventNameOrUsageError } from "./shared.js";

/**
 * The body simulate would send. Piped or with --json, it is byte for byte what simulate sends
 * (compact JSON); on a terminal it is indented for reading.
 */
export function fixtureText(envelope: WebhookEnvelope, where: { terminal: boolean; json?: boolean }): string {
  return where.terminal && !where.json ? JSON.stringify(envelope, null, 2) : JSON.stringify(envelope);
}

/** What `version` changes in this event's payload, one line each (empty for today's form). */
export function versionChangeLines(envelope: WebhookEnvelope, version: string): string[] {
  return changesFor(envelope, version).map((change) => `before ${change.since}: ${change.description} [${change.source}]`);
}

export async function run(eventArg: string, options: { json?: boolean; apiVersion?: string } = {}): Promise<void> {
  const out = createOutput();
  const name = eventNameOrUsageError(eventArg);
  const envelope = buildEvent(name);
  if (options.apiVersion !== undefined) {
    // The body on stdout stays the exact bytes; what the version changed goes to stderr.
    const lines = versionChangeLines(envelope, options.apiVersion);
    applyApiVersion(envelope, options.apiVersion);
    out.notice(lines.length ? `API version ${options.apiVersion} changes ${name}:\n  ${lines.join("\n  ")}` : `API version ${options.apiVersion}: ${name} has today's payload format (no documented difference)`);
  }
  out.line(fixtureText(envelope, { terminal: out.settings.stdoutIsTty, json: options.json }));
}
