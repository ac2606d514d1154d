import { randomUUID } from "node:crypto";
import { defined } from "../invariant.js";
import { buildEvent, type Assignment } from "../events/build.js";
import type { EventName } from "../events/catalog.js";
import type { WebhookEnvelope } from "../events/fixtures.js";
import { isOverrideError, overrideReason, type OverrideError, type OverrideOp } from "../events/override-error.js";
import { DATE_PLACEHOLDER, isResendStep, stepRef, type EventStep, type Scenario } from "../events/scenario.js";
import { ScenarioError } from "../events/scenario-error.js";
import { applyApiVersion } from "../events/versions.js";
import type { AccountData } from "../sandbox/account-events.js";
import type { DeliveryReport } from "./deliver.js";

export type DeliveryKind = "event" | "duplicate" | "resend";

export interface ScenarioDelivery {
  /** 1-based step number in the scenario file. */
  step: number;
  label?: string;
  kind: DeliveryKind;
  /** True when the step was delivered after a later step (deliver_after). */
  outOfOrder: boolean;
  event: string;
  eventId: string;
  body: Buffer;
}

export interface ScenarioResult extends ScenarioDelivery {
  report: DeliveryReport;
}

export interface ThreadedIds {
  accountId: string;
  endUserId: string;
  linkTokenId: string;
  /** Set when the ids are a sandbox account's: account.added then names its platform. */
  platform?: { id: string; name: string };
}

export interface PlayOptions {
  ids?: Partial<ThreadedIds>;
  /**
   * A sandbox account's events (simulate --sandbox): the nth step of an event and outcome carries
   * the data (ids, params) of the account's nth such event, or of its last one; the account's data
   * wins over the step's own values for those fields.
   */
  accountData?: AccountData;
  /** The payload format of this Pinwheel API version (YYYY-MM-DD); today's without it. */
  apiVersion?: string;
  /** 2 plays twice as fast; delays are divided by it. */
  speed?: number;
  now?: () => number;
  sleep?: (ms: number) => Promise<void>;
  send(delivery: ScenarioDelivery): Promise<DeliveryReport>;
  /**
   * Once true, the deliveries left are not sent but handed to `onNotSent`, in play order (the
   * caller stops a run whose app stopped answering). Deliveries already in flight finish.
   */
  stopped?(): boolean;
  onNotSent?(delivery: ScenarioDelivery): void;
}

const DAY_MS = 86_400_000;

/** "{{today}}" and "{{today-30d}}" in scenario values become dates, so every run's pay dates are recent and consistent. */
export function resolveTemplates(value: unknown, nowMs: number): unknown {
  if (typeof value === "string") {
    return value.replace(DATE_PLACEHOLDER, (_, days: string | undefined) =>
      new Date(nowMs - Number(days ?? 0) * DAY_MS).toISOString().slice(0, 10),
    );
  }
  if (Array.isArray(value)) return value.map((item) => resolveTemplates(item, nowMs));
  if (typeof value === "object" && value !== null) {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, resolveTemplates(v, nowMs)]));
  }
  return value;
}

function assignments(record: Record<string, unknown> | undefined, nowMs: number): Assignment[] {
  return Object.entries(record ?? {}).map(([path, value]) => ({ path, value: resolveTemplates(value, nowMs) }));
}

function thread(envelope: WebhookEnvelope, ids: ThreadedIds): void {
  const payload = envelope.payload;
  if ("account_id" in payload) payload.account_id = ids.accountId;
  if ("end_user_id" in payload) payload.end_user_id = ids.endUserId;
  if ("link_token_id" in payload) payload.link_token_id = ids.linkTokenId;
  if (ids.platform && "platform_id" in payload) payload.platform_id = ids.platform.id;
  if (ids.platform && "platform_name" in payload) payload.platform_name = ids.platform.name;
}

const isRecord = (value: unknown): value is Record<string, unknown> => typeof value === "object" && value !== null && !Array.isArray(value);

/** The account's data into the fields the step's event has; an object (params) keeps the keys the account's lacks. */
function withAccountData(envelope: WebhookEnvelope, data: Record<string, unknown> | undefined): void {
  const payload = envelope.payload;
  for (const [key, value] of Object.entries(data ?? {})) {
    if (!(key in payload)) continue;
    const current = payload[key];
    payload[key] = isRecord(current) && isRecord(value) ? { ...current, ...value } : value;
  }
}

/** A step's override names a field of the step: "set.payload.params.count", "outcome". */
function overrideField(error: OverrideError): string {
  return error.op === "set" || error.op === "add" || error.op === "unset" ? `${error.op}.${error.path}` : error.op;
}

const stepTerms = (op: OverrideOp) => `"${op}"`;

function buildStep(scenario: Scenario, index: number, step: EventStep, nowMs: number): WebhookEnvelope {
  try {
    return buildEvent(step.event as EventName, {
      now: nowMs,
      outcome: step.outcome,
      set: assignments(step.set, nowMs),
      add: assignments(step.add, nowMs),
      unset: step.unset,
    });
  } catch (error) {
    if (!isOverrideError(error)) throw error;
    throw new ScenarioError(
      { kind: "invalid", scenario: scenario.name, step: stepRef(scenario, index), field: overrideField(error), reason: overrideReason(error, stepTerms) },
      { cause: error },
    );
  }
}

/**
 * Plays a scenario in order, one delivery in flight at a time unless a step is `concurrent`,
 * with one account, end user and link token threaded through every event.
 */
export async function playScenario(scenario: Scenario, options: PlayOptions): Promise<ScenarioResult[]> {
  const now = options.now ?? Date.now;
  const sleep = options.sleep ?? ((ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms)));
  const speed = options.speed ?? 1;
  const ids: ThreadedIds = {
    accountId: options.ids?.accountId ?? randomUUID(),
    endUserId: options.ids?.endUserId ?? `user_${randomUUID().slice(0, 8)}`,
    linkTokenId: options.ids?.linkTokenId ?? randomUUID(),
    platform: options.ids?.platform,
  };

  // Everything is built before anything is sent, so a bad step fails the run before any delivery.
  const startedAt = now();
  const envelopes = new Map<number, WebhookEnvelope>();
  const byLabel = new Map<string, number>();
  // Each event is dated when its step is due (the delays so far, at this speed): a job's result is later than its pending event.
  let dueMs = startedAt;
  // How many steps of each event and outcome took the account's data so far.
  const taken = new Map<string, number>();
  scenario.steps.forEach((step, index) => {
    dueMs += (step.delay_ms ?? 0) / speed;
    if (step.label !== undefined) byLabel.set(step.label, index);
    if (isResendStep(step)) return;
    const envelope = buildStep(scenario, index, step, Math.round(dueMs));
    if (options.accountData) {
      const outcome = envelope.payload.outcome;
      const key = `${step.event} ${String(outcome)}`;
      const nth = taken.get(key) ?? 0;
      taken.set(key, nth + 1);
      withAccountData(envelope, options.accountData.data(step.event, outcome, nth));
    }
    thread(envelope, ids);
    if (options.apiVersion !== undefined) applyApiVersion(envelope, options.apiVersion, { keepEndUserId: options.ids?.endUserId !== undefined });
    if (step.same_job_as !== undefined) {
      const job = envelopes.get(defined(byLabel.get(step.same_job_as), `step label ${step.same_job_as}`));
      if (job && "id" in job.payload && "id" in envelope.payload) envelope.payload.id = job.payload.id;
    }
    envelopes.set(index, envelope);
  });
  const bodies = new Map([...envelopes].map(([index, envelope]) => [index, Buffer.from(JSON.stringify(envelope))]));

  const results: ScenarioResult[] = [];
  const inFlight: Promise<void>[] = [];

  const deliverStep = async (index: number, outOfOrder: boolean): Promise<void> => {
    const step = defined(scenario.steps[index], `scenario step ${index + 1}`);
    if (step.delay_ms && !options.stopped?.()) await sleep(step.delay_ms / speed);
    const source = isResendStep(step) ? defined(byLabel.get(step.resend), `step label ${step.resend}`) : index;
    const envelope = defined(envelopes.get(source), `the event of step ${source + 1}`);
    const base = {
      step: index + 1,
      label: step.label,
      outOfOrder,
      event: envelope.event,
      eventId: envelope.event_id,
      body: defined(bodies.get(source), `the body of step ${source + 1}`),
    };
    const kinds: DeliveryKind[] = [isResendStep(step) ? "resend" : "event", ...Array<DeliveryKind>(step.duplicate ?? 0).fill("duplicate")];
    const run = async () => {
      for (const kind of kinds) {
        const delivery = { ...base, kind };
        if (options.stopped?.()) {
          options.onNotSent?.(delivery);
          continue;
        }
        results.push({ ...delivery, report: await options.send(delivery) });
      }
    };
    if (step.concurrent) inFlight.push(run());
    else await run();
  };

  // A deferred step is out of order when it goes before a step written above it, or after one
  // written below it: deliver_after may point up the file as well as down.
  const begun = new Set<number>();
  const outOfPlace = (index: number) =>
    scenario.steps.some((_, other) => (other < index && !begun.has(other)) || (other > index && begun.has(other)));

  // A step delivered (deferred or not) releases the steps deferred after it, which may release others.
  const deliverWithDeferred = async (index: number, deferred: boolean): Promise<void> => {
    const outOfOrder = deferred && outOfPlace(index);
    begun.add(index);
    await deliverStep(index, outOfOrder);
    const label = scenario.steps[index]?.label;
    if (label === undefined) return;
    for (const [later, step] of scenario.steps.entries()) {
      if (!isResendStep(step) && step.deliver_after === label) await deliverWithDeferred(later, true);
    }
  };
  for (const [index, step] of scenario.steps.entries()) {
    if (!isResendStep(step) && step.deliver_after !== undefined) continue;
    await deliverWithDeferred(index, false);
  }
  await Promise.all(inFlight);
  return results;
}
