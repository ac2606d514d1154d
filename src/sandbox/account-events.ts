import type { WebhookEnvelope } from "../events/fixtures.js";
import { dataJobsOf, DEFAULT_PLATFORM, type DataJob } from "./platforms.js";

/**
 * simulate --sandbox: the events the mock built for a sandbox account (sandbox connect's, with
 * deliver: false) are where a simulated event's data comes from. Their data-describing fields
 * (added and deleted ids, params, account.added's platform and state) replace the fixture's, so
 * what the event names is what the mock's data API serves for the account. The job's own fields
 * stay as simulate builds them.
 */

/** Payload fields that are the job's or the ids' (simulate builds and threads them), not the data's. */
const NOT_DATA = new Set(["id", "name", "timestamp", "outcome", "error_code", "error_type", "account_id", "end_user_id", "link_token_id"]);

/** Events whose fixture names data the mock serves: the account, and paystubs and shifts with their batches and windows. */
const DATA_EVENT = /^(account\.added|(paystubs|shifts)\.(added|seven_days_synced|thirty_days_synced|ninety_days_synced|fully_synced))$/;

export function describesAccountData(event: string): boolean {
  return DATA_EVENT.test(event);
}

/**
 * The data of the account's `nth` (0-based) event of this name with this outcome, or of its last
 * one when it sent fewer; undefined when it sent none (a job the platform does not support, an
 * empty window, an outcome the account's job did not have).
 */
export function accountData(events: readonly WebhookEnvelope[], event: string, outcome: unknown, nth = 0): Record<string, unknown> | undefined {
  if (!describesAccountData(event)) return undefined;
  const matching = events.filter((envelope) => envelope.event === event && envelope.payload.outcome === outcome);
  const source = matching[Math.min(nth, matching.length - 1)];
  if (!source) return undefined;
  // A deep copy: the caller's envelope must not share arrays with the account's.
  return JSON.parse(JSON.stringify(Object.fromEntries(Object.entries(source.payload).filter(([key]) => !NOT_DATA.has(key))))) as Record<string, unknown>;
}

/** Copies the account's data into the fields the event has (a field it lacks, or unset, stays absent). */
export function applyAccountData(envelope: WebhookEnvelope, data: Record<string, unknown> | undefined): void {
  if (!data) return;
  for (const [key, value] of Object.entries(data)) {
    if (key in envelope.payload) envelope.payload[key] = value;
  }
}

/**
 * Of these simulated events (name and outcome), the ones that name account data the account has
 * no event for: they keep the fixture's ids and params. Each name once, in order.
 */
export function eventsWithoutAccountData(events: readonly WebhookEnvelope[], simulated: readonly SimulatedEvent[]): string[] {
  const missing = new Set<string>();
  for (const { event, outcome } of simulated) {
    if (describesAccountData(event) && accountData(events, event, outcome) === undefined) missing.add(event);
  }
  return [...missing];
}

/** What simulate needs of a sandbox account's events: each simulated event's data, and which have none. */
export interface AccountData {
  /** The data for the nth (0-based) simulated event of this name and outcome; undefined when there is none. */
  data(event: string, outcome: unknown, nth: number): Record<string, unknown> | undefined;
  /** The simulated data events the account has no event for (see eventsWithoutAccountData). */
  missing(simulated: readonly SimulatedEvent[]): string[];
}

export function accountEventData(events: readonly WebhookEnvelope[]): AccountData {
  return {
    data: (event, outcome, nth) => accountData(events, event, outcome, nth),
    missing: (simulated) => eventsWithoutAccountData(events, simulated),
  };
}

/** A simulated event: its name and the outcome it is sent with (undefined for an event that is no job). */
export interface SimulatedEvent {
  event: string;
  outcome: unknown;
}

/**
 * The job outcomes the sandbox account is connected with, so that its events (and its data API)
 * match the simulated ones: a data job simulated only with outcome error ends in error (the mock
 * then serves none of its data), one simulated pending goes through pending first. A job also
 * simulated with success keeps its data; its error events keep the fixture's values.
 */
export function sandboxOutcomes(simulated: readonly SimulatedEvent[]): Partial<Record<DataJob, "error" | "pending">> {
  const byJob = new Map<DataJob, Set<unknown>>();
  const jobs: readonly string[] = dataJobsOf(DEFAULT_PLATFORM);
  for (const { event, outcome } of simulated) {
    const job = event.slice(0, event.indexOf("."));
    if (outcome === undefined || !jobs.includes(job) || !describesJob(event)) continue;
    byJob.set(job as DataJob, (byJob.get(job as DataJob) ?? new Set()).add(outcome));
  }
  const outcomes: Partial<Record<DataJob, "error" | "pending">> = {};
  for (const [job, seen] of byJob) {
    if (seen.has("error") && !seen.has("success")) outcomes[job] = "error";
    else if (seen.has("pending")) outcomes[job] = "pending";
  }
  return outcomes;
}

/** paystubs.added, paystubs.fully_synced, income.added...: an event of a data job (not paystubs.documents.added). */
function describesJob(event: string): boolean {
  return /^(paystubs|shifts)\.(added|seven_days_synced|thirty_days_synced|ninety_days_synced|fully_synced)$|^(employment|income|identity)\.added$/.test(event);
}
