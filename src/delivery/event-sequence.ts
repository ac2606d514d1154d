import { randomUUID } from "node:crypto";
import { buildEvent, parseAssignments, pinwheelTimestamp, type Outcome } from "../events/build.js";
import { catalogEntry, type EventName } from "../events/catalog.js";
import type { WebhookEnvelope } from "../events/fixtures.js";
import { hasPath } from "../events/paths.js";
import { envelopeTemplate } from "../events/template.js";
import type { AccountData } from "../sandbox/account-events.js";

/** One delivery of a simulated event: what is sent, and what it is for the attempt log. */
export interface PlannedDelivery {
  event: string | null;
  eventId: string | null;
  body: Buffer;
}

/** A sandbox account whose ids the simulated events carry (simulate --sandbox). */
export interface SandboxIds {
  accountId: string;
  endUserId: string;
  linkTokenId: string;
  platform: { id: string; name: string };
  /** The account's own events: a simulated list event carries their ids and params (not the fixture's). */
  accountData?: AccountData;
}

/** What shapes a simulated event and the deliveries that follow it. */
export interface SequenceOptions {
  accountId?: string;
  endUserId?: string;
  /** Payload format of this API version (YYYY-MM-DD); in the fan-out, each webhook's own version otherwise. */
  apiVersion?: string;
  outcome?: Outcome;
  set?: string[];
  add?: string[];
  unset?: string[];
  duplicate?: number | true;
  pending?: boolean;
}

function identify(body: Buffer): { event: string | null; eventId: string | null } {
  try {
    const json = JSON.parse(body.toString("utf8")) as { event?: unknown; event_id?: unknown };
    return {
      event: typeof json.event === "string" ? json.event : null,
      eventId: typeof json.event_id === "string" ? json.event_id : null,
    };
  } catch {
    return { event: null, eventId: null };
  }
}

function planned(envelope: WebhookEnvelope): PlannedDelivery {
  return { event: envelope.event, eventId: envelope.event_id, body: Buffer.from(JSON.stringify(envelope)) };
}

/** Another event like this one: a fresh event_id, and a fresh job id where it is a job. */
function renewed(envelope: WebhookEnvelope): WebhookEnvelope {
  const payload = "id" in envelope.payload ? { ...envelope.payload, id: randomUUID() } : envelope.payload;
  return { ...envelope, event_id: randomUUID(), payload };
}

/**
 * Builds the events once (fixture, overrides) and returns, per simulated event, the deliveries
 * in the order they must arrive: --count then only renews the ids, which keeps bursts cheap.
 */
export function sequenceBuilder(
  name: EventName | undefined,
  options: SequenceOptions,
  data: Buffer | undefined,
  sandbox?: SandboxIds,
): (index: number) => PlannedDelivery[] {
  const duplicates = options.duplicate === undefined ? 0 : options.duplicate === true ? 1 : options.duplicate;
  const withDuplicates = (first: PlannedDelivery, followUp?: PlannedDelivery) => {
    const sequence = [first];
    for (let i = 0; i < duplicates; i++) sequence.push(first);
    if (followUp) sequence.push(followUp);
    return sequence;
  };
  if (data) {
    const first = { ...identify(data), body: data };
    return () => withDuplicates(first);
  }
  // simulate refuses a call with neither an event name nor --data before it gets here.
  if (name === undefined) throw new Error("simulate has neither an event name nor a --data body");
  const set = parseAssignments("set", options.set);
  const overrides = {
    accountId: options.accountId ?? sandbox?.accountId,
    endUserId: options.endUserId ?? sandbox?.endUserId,
    linkTokenId: sandbox?.linkTokenId,
    apiVersion: options.apiVersion,
    add: parseAssignments("add", options.add),
    unset: options.unset,
  };
  // The sandbox account's platform and data go in first: --set, --add and --unset still have the last word.
  const sandboxSet = (outcome: Outcome | undefined) => (sandbox ? [...platformAssignments(name, sandbox), ...dataAssignments(name, outcome, sandbox)] : []);
  const [initialOutcome, settledOutcome] = simulatedOutcomes(options);
  const initial = buildEvent(name, { ...overrides, set: [...sandboxSet(initialOutcome), ...set], outcome: initialOutcome });
  // The same job (same payload.id) settles later under a new event_id, as Pinwheel documents.
  const settled = settledOutcome ? buildEvent(name, { ...overrides, set: [...sandboxSet(settledOutcome), ...set], outcome: settledOutcome }) : undefined;
  if (!settled) {
    const render = envelopeTemplate(initial);
    return (index) => {
      if (index === 0) return withDuplicates(planned(initial));
      const eventId = randomUUID();
      return withDuplicates({ event: initial.event, eventId, body: Buffer.from(render(eventId, randomUUID())) });
    };
  }
  return (index) => {
    const first = index === 0 ? initial : renewed(initial);
    const followUp = settled && { ...renewed(settled), payload: { ...settled.payload, id: first.payload.id, timestamp: pinwheelTimestamp(Date.now()) } };
    return withDuplicates(planned(first), followUp && planned(followUp));
  };
}

/** The outcome of the event simulate sends and, with --pending, of the result that follows it. */
function simulatedOutcomes(options: SequenceOptions): [Outcome | undefined, Outcome | undefined] {
  if (!options.pending) return [options.outcome, undefined];
  return ["pending", options.outcome === "error" ? "error" : "success"];
}

/** The events a simulated one stands for (name and outcome): with --pending, the pending event and its result. */
export function simulatedEvents(name: EventName, options: SequenceOptions): { event: string; outcome: Outcome | undefined }[] {
  const job = catalogEntry(name).job;
  return simulatedOutcomes(options)
    .filter((outcome, index) => index === 0 || outcome !== undefined)
    .map((outcome) => ({ event: name, outcome: outcome ?? (job ? "success" : undefined) }));
}

/**
 * The account's data (added and deleted ids, params, ...) for the fields the event has: the first
 * of the account's events of this name and outcome. A job event without --outcome succeeds.
 */
function dataAssignments(name: EventName, outcome: Outcome | undefined, sandbox: SandboxIds) {
  const data = sandbox.accountData?.data(name, outcome ?? (catalogEntry(name).job ? "success" : undefined), 0);
  if (!data) return [];
  const fixture = buildEvent(name);
  return Object.entries(data)
    .filter(([key]) => hasPath(fixture.payload, key))
    .map(([key, value]) => ({ path: `payload.${key}`, value }));
}

/** account.added names the platform: the sandbox account's, so GET /v1/platforms/{id} resolves it. */
function platformAssignments(name: EventName, sandbox: SandboxIds) {
  const fixture = buildEvent(name);
  if (!hasPath(fixture.payload, "platform_id")) return [];
  return [
    { path: "payload.platform_id", value: sandbox.platform.id },
    ...(hasPath(fixture.payload, "platform_name") ? [{ path: "payload.platform_name", value: sandbox.platform.name }] : []),
  ];
}
