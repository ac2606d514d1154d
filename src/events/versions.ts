import type { WebhookEnvelope } from "./fixtures.js";

/**
 * How a webhook's API version changes the payloads it receives (FACTS.md: "A webhook's own
 * `version` decides the payload format of the events it receives"). Only what the docs state:
 * fixtures are today's form, and a version before a change's date gets the older form.
 */
export interface PayloadChange {
  /** The first date with today's form (YYYY-MM-DD); versions before it get the older one. */
  since: string;
  source: string;
  /** What an older version's payload looks like instead, in words. */
  description: string;
  appliesTo(envelope: WebhookEnvelope): boolean;
  /** Rewrites today's form into the older one, in place. */
  toOlder(envelope: WebhookEnvelope): void;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

export const PAYLOAD_CHANGES: readonly PayloadChange[] = [
  {
    since: "2022-08-01",
    source: "docs/002 (direct_deposit_switch.added: the structure before 8/1/22)",
    description: "params.amount (the allocation in pennies) instead of params.action and params.allocation",
    appliesTo: (envelope) => envelope.event === "direct_deposit_switch.added" && isRecord(envelope.payload.params),
    toOlder(envelope) {
      const params = envelope.payload.params as Record<string, unknown>;
      const allocation = isRecord(params.allocation) ? params.allocation : undefined;
      const rest = Object.fromEntries(Object.entries(params).filter(([key]) => key !== "action" && key !== "allocation"));
      // The legacy form had only an amount: a percentage or remainder switch carried none.
      envelope.payload.params = allocation?.type === "amount" && typeof allocation.value === "number" ? { ...rest, amount: allocation.value } : rest;
    },
  },
  {
    since: "2023-07-18",
    source: 'docs/003 ("end_user_id is required in all Link tokens as of API version 2023-07-18")',
    description: "no end_user_id: before 2023-07-18 a Link token could be created without one, and its events then carry none",
    appliesTo: (envelope) => "end_user_id" in envelope.payload,
    toOlder(envelope) {
      delete envelope.payload.end_user_id;
    },
  },
];

/** A Pinwheel-Version is a date, YYYY-MM-DD. */
export function isApiVersionDate(value: string): boolean {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(value)) return false;
  const date = new Date(`${value}T00:00:00Z`);
  return !Number.isNaN(date.getTime()) && date.toISOString().startsWith(value);
}

/** The changes that make `version`'s payload of this event differ from today's form. */
export function changesFor(envelope: WebhookEnvelope, version: string): PayloadChange[] {
  return PAYLOAD_CHANGES.filter((change) => version < change.since && change.appliesTo(envelope));
}

export interface VersionOptions {
  /** Keep end_user_id: the caller chose one (--end-user-id), which a Link token could always carry. */
  keepEndUserId?: boolean;
}

/** Today's envelope in `version`'s payload format, in place; returns the changes it made. */
export function applyApiVersion(envelope: WebhookEnvelope, version: string, options: VersionOptions = {}): PayloadChange[] {
  const changes = changesFor(envelope, version).filter((change) => !(options.keepEndUserId && change.since === "2023-07-18"));
  for (const change of changes) change.toOlder(envelope);
  return changes;
}

/** The same for a serialized body; a body that is not an envelope is returned as it is. */
export function versionedBody(body: Buffer, version: string, options: VersionOptions = {}): Buffer {
  let envelope: unknown;
  try {
    envelope = JSON.parse(body.toString("utf8"));
  } catch {
    return body;
  }
  if (!isRecord(envelope) || typeof envelope.event !== "string" || !isRecord(envelope.payload)) return body;
  const changes = applyApiVersion(envelope as unknown as WebhookEnvelope, version, options);
  return changes.length === 0 ? body : Buffer.from(JSON.stringify(envelope));
}
