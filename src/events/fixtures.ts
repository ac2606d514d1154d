import { readFileSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import type { EventName } from "./catalog.js";

let fixturesDirectory: string | undefined;

/**
 * Where the fixtures are: data shipped beside the code. Both src/events/ (tests) and dist/events/
 * (the published build) sit two levels below the package root. Computed on first use, not at
 * load: a bundler or runtime whose module URL is not a file: URL can still load the library
 * (verification needs no fixtures).
 */
export function fixturesDir(): string {
  fixturesDirectory ??= fileURLToPath(new URL("../../fixtures/events/", import.meta.url));
  return fixturesDirectory;
}

export interface WebhookEnvelope {
  event: string;
  event_id: string;
  payload: Record<string, unknown>;
}

export function fixturePath(name: EventName): string {
  return join(fixturesDir(), `${name}.json`);
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

// A shape check only (no zod, so loading fixtures stays cheap); schemas.ts owns
// field-level validation. A file whose event does not match its name would
// make the simulator send one event while claiming another.
export function loadFixture(name: EventName): WebhookEnvelope {
  const file = fixturePath(name);
  const data: unknown = JSON.parse(readFileSync(file, "utf8"));
  if (
    !isRecord(data) ||
    typeof data.event !== "string" ||
    typeof data.event_id !== "string" ||
    !isRecord(data.payload)
  ) {
    throw new Error(`${file}: expected {"event", "event_id", "payload"}`);
  }
  if (data.event !== name) {
    throw new Error(`${file}: "event" is "${data.event}", expected "${name}"`);
  }
  return { ...data, event: data.event, event_id: data.event_id, payload: data.payload };
}

/** Names (without .json) of every fixture file present, catalog event or not. */
export function listFixtureFiles(): string[] {
  return readdirSync(fixturesDir())
    .filter((file) => file.endsWith(".json"))
    .map((file) => file.slice(0, -".json".length))
    .sort();
}
