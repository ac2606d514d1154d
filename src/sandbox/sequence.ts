import { randomUUID } from "node:crypto";
import { pinwheelTimestamp } from "../events/build.js";
import type { WebhookEnvelope } from "../events/fixtures.js";
import { defined } from "../invariant.js";
import { dayFromIso, dayOf } from "./dates.js";
import { JOB_COMPLETED_MS } from "./generate.js";
import type { DataJob, Platform } from "./platforms.js";
import type { SandboxAccount } from "./records.js";

export type JobOutcome = "success" | "error" | "pending";

export interface SequenceOptions {
  /** The `now` the account was generated with: sync windows are counted back from its day. */
  now: number;
  platform: Platform;
  /** Jobs that end in error (no data) or go through pending first; the rest succeed. */
  outcomes?: Partial<Record<DataJob, Exclude<JobOutcome, "success">>>;
  newId?: () => string;
}

/** Windows of days back from today, newest first, and the *_synced event each completes (docs/002). */
const WINDOWS = [
  { days: 7, synced: "seven_days_synced" },
  { days: 30, synced: "thirty_days_synced" },
  { days: 90, synced: "ninety_days_synced" },
  { days: Number.POSITIVE_INFINITY, synced: undefined },
] as const;

const BATCH_SPACING_MS = 1_500;
const PENDING_BEFORE_MS = 1_000;
// Pinwheel does not document its error codes; these read like its documented error classes.
const JOB_ERROR = { error_code: "platform_unavailable", error_type: "platform_error" };
const NO_ERROR = { error_code: null, error_type: null };

interface Timed {
  at: number;
  envelope: WebhookEnvelope;
}

export interface Batch {
  ids: string[];
  from: string;
  to: string;
  synced: string | undefined;
}

/**
 * The items of a paystubs or shifts job split into the batches Pinwheel sends them in: the last
 * 7 days first, then the rest of 30, of 90, then everything older. Empty windows send nothing.
 */
export function batches(items: readonly { id: string; date: string }[], today: number): Batch[] {
  const result: Batch[] = [];
  let newer = 0;
  for (const window of WINDOWS) {
    const inWindow = items.filter((item) => {
      const age = today - dayFromIso(item.date);
      return age >= newer && age < window.days;
    });
    newer = window.days;
    if (inWindow.length === 0) continue;
    const dates = inWindow.map((item) => item.date).sort();
    result.push({ ids: inWindow.map((item) => item.id), from: defined(dates[0], "a date in a non-empty window"), to: defined(dates[dates.length - 1], "a date in a non-empty window"), synced: window.synced });
  }
  return result;
}

/**
 * The webhook events Pinwheel sends when this account connects, in the order API-DATA.md §4.9
 * recorded: account.added, identity.added, income.added, paystubs.added and shifts.added
 * interleaved with their *_synced events, paystubs.fully_synced, employment.added last. Every id
 * is one the data API serves; each batch's params describe that batch, and fully_synced repeats
 * the last batch's id, timestamp and params (API-DATA.md §4.6).
 */
export function connectEvents(data: SandboxAccount, options: SequenceOptions): WebhookEnvelope[] {
  const newId = options.newId ?? randomUUID;
  const { account } = data;
  const start = Date.parse(account.created_at);
  const today = dayOf(options.now);
  const timed: Timed[] = [];
  const push = (at: number, event: string, payload: Record<string, unknown>) =>
    timed.push({ at, envelope: { event, event_id: newId(), payload } });
  const base = { account_id: account.id, end_user_id: account.end_user_id, link_token_id: account.link_token_id };

  push(start, "account.added", {
    ...base,
    platform_id: options.platform.id,
    platform_name: options.platform.name,
    created_at: account.created_at,
    connected: account.connected,
    monitoring_status: account.monitoring_status,
  });

  for (const job of data.jobs) {
    const outcome = options.outcomes?.[job] ?? "success";
    const jobId = newId();
    const done = start + JOB_COMPLETED_MS[job];
    const jobPayload = (at: number, jobOutcome: JobOutcome, extra: Record<string, unknown> = {}) => ({
      id: jobId,
      ...base,
      name: job,
      timestamp: pinwheelTimestamp(at),
      outcome: jobOutcome,
      // Set on error; null otherwise, and params {} for a job that has none, as Pinwheel's recorded job events carry them (API-DATA.md §5).
      ...(jobOutcome === "error" ? JOB_ERROR : NO_ERROR),
      params: {},
      ...extra,
    });
    const listJob = job === "paystubs" || job === "shifts";
    if (outcome === "pending") {
      // The same job (same payload.id) settles later with its result, as docs/002 describes pending.
      const pendingAt = done - (listJob ? 4 * BATCH_SPACING_MS : 0) - PENDING_BEFORE_MS;
      push(pendingAt, `${job}.added`, jobPayload(pendingAt, "pending", listJob ? { added: [], deleted: [], params: { count: 0, sync_status: "in_progress" } } : {}));
    }
    if (outcome === "error") {
      push(done, `${job}.added`, jobPayload(done, "error", listJob ? { added: [], deleted: [], params: { count: 0, sync_status: "complete" } } : {}));
      continue;
    }
    if (!listJob) {
      push(done, `${job}.added`, jobPayload(done, "success"));
      continue;
    }
    const items = job === "paystubs" ? data.paystubs.map((p) => ({ id: p.id, date: p.pay_date })) : data.shifts.map((s) => ({ id: s.id, date: s.start_date }));
    const sent = batches(items, today);
    sent.forEach((batch, index) => {
      const last = index === sent.length - 1;
      const at = done - (sent.length - 1 - index) * BATCH_SPACING_MS;
      const params =
        job === "paystubs" ? { from_pay_date: batch.from, to_pay_date: batch.to, count: batch.ids.length } : { count: batch.ids.length };
      push(at, `${job}.added`, jobPayload(at, "success", { added: batch.ids.map((id) => ({ id })), deleted: [], params: { ...params, sync_status: last ? "complete" : "in_progress" } }));
      // Shifts are collected for 90 days only: ninety_days_synced and fully_synced come together (docs/002).
      if (batch.synced && !(last && job === "shifts" && batch.synced === "ninety_days_synced")) {
        push(at, `${job}.${batch.synced}`, jobPayload(at, "success", { params }));
      }
      if (last && job === "shifts") push(at, "shifts.ninety_days_synced", jobPayload(at, "success", { params }));
      if (last) push(at, `${job}.fully_synced`, jobPayload(at, "success", { params }));
    });
  }
  // Stable: events at the same instant keep the order they were pushed in.
  return timed.sort((a, b) => a.at - b.at).map((entry) => entry.envelope);
}
