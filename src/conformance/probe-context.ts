import { buildEvent } from "../events/build.js";
import type { EventName } from "../events/catalog.js";
import type { WebhookEnvelope } from "../events/fixtures.js";
import { answerText, type Exchange } from "./exchange.js";
import type { ProbeRequest, Signer } from "./requests.js";
import type { StateReader, StateReading } from "./state.js";
import type { Verdict } from "./verdict.js";

/** What a check's probe can use: the run's settings, the signer, the transport and the app's state. */
export interface ProbeContext {
  toleranceSeconds: number;
  /** Pinwheel's timeout: an answer later than this fails response-time. */
  timeoutMs: number;
  endUserId?: string;
  events: readonly EventName[];
  signer: Signer;
  nowMs(): number;
  send(request: ProbeRequest): Promise<Exchange>;
  /** Every exchange of the run so far, all checks. */
  exchanges: readonly Exchange[];
  /**
   * The app's state: `settle` reads until it moves from `from` (or the settle time passes);
   * `quiet` reads once the settle time has passed since the last answer, so that what a handler
   * that answers first and stores a moment later still does for earlier requests is not taken
   * for what the next one did.
   */
  state?: { read: StateReader; settle(from: StateReading): Promise<StateReading>; quiet(): Promise<StateReading> };
  /** What one check learned that a later one needs (retried-delivery asks duplicate-delivery). */
  memory: {
    duplicateProcessedTwice?: boolean;
    /** genuine-events ran and not one genuine event was accepted: a refusal elsewhere shows nothing. */
    acceptedNoGenuine?: boolean;
  };
}

export interface ProbeOutcome {
  verdict: Verdict;
  message: string;
  /** Replaces the check's usual fix when the failure has a more precise one. */
  fix?: string;
  /** What came back, when it is not the check's own answers (response-time's p95). */
  answered?: string;
  /** The exchanges that show the problem, for a fail or a warning. */
  evidence?: Exchange[];
  /** What was sent, when it is not the check's usual description (genuine-events narrowed to some events). */
  sent?: string;
  /** What a pass could not check, in a few words: "double processing not checked without --state-url". */
  unchecked?: string;
}

export type Probe = (ctx: ProbeContext) => Promise<ProbeOutcome>;

/** A catalog event built now, carrying --end-user-id (or `endUserId`) where the payload has an end user. */
export function build(ctx: ProbeContext, name: EventName, endUserId = ctx.endUserId): WebhookEnvelope {
  const envelope = buildEvent(name, { now: ctx.nowMs() });
  if (endUserId !== undefined && "end_user_id" in envelope.payload) envelope.payload.end_user_id = endUserId;
  return envelope;
}

/**
 * The event a check sends: its own choice, unless the run was narrowed to events that leave it out.
 * A handler may refuse events its webhook never subscribes to: a forgery refused for that proves
 * nothing, and a genuine copy refused for that is no failure. Then it is the first of the run's
 * events whose payload names an end user, as every check's own choice does.
 */
export function checkEvent(ctx: ProbeContext, preferred: EventName): EventName {
  if (ctx.events.includes(preferred)) return preferred;
  return ctx.events.find((name) => "end_user_id" in buildEvent(name).payload) ?? preferred;
}

export const pass = (message: string): ProbeOutcome => ({ verdict: "pass", message });
export const fail = (message: string, evidence: Exchange[], fix?: string): ProbeOutcome => ({ verdict: "fail", message, evidence, fix });
export const warn = (message: string, evidence: Exchange[], fix?: string): ProbeOutcome => ({ verdict: "warn", message, evidence, fix });

export function noAnswer(exchange: Exchange): ProbeOutcome {
  return fail(`no answer to ${exchange.label}: ${answerText(exchange)}`, [exchange]);
}
