import { randomUUID } from "node:crypto";
import { setTimeout as wait } from "node:timers/promises";
import { createSender, type HttpSender } from "../delivery/sender.js";
import { UNANSWERED_IN_A_ROW_TO_STOP, UnansweredStreak } from "../delivery/unanswered-streak.js";
import { EVENT_NAMES, type EventName } from "../events/catalog.js";
import { DEFAULT_TOLERANCE_SECONDS } from "../signature-headers.js";
import { CHECK_IDS, checkDefinition, isCheckId, PINWHEEL_TIMEOUT_MS, type CheckId } from "./checks.js";
import { ConformanceError, NOTHING_LISTENING } from "./errors.js";
import { blamedOnGenuineEvents, readsMilliseconds } from "./genuine-first.js";
import { summarizeAnswers, type Exchange } from "./exchange.js";
import type { ProbeContext } from "./probe-context.js";
import { PROBES } from "./probes.js";
import type { ProbeRequest } from "./requests.js";
import { readAfterSettling, stateReader, type StateReader } from "./state.js";
import type { Verdict } from "./verdict.js";

export interface ConformanceOptions {
  /** The handler's webhook endpoint. */
  url: string;
  /** The API secret the handler verifies with. */
  secret: string;
  /** Only these checks, in the suite's order (default: all). */
  checks?: readonly CheckId[];
  /** Events genuine-events sends (default: the whole catalog). */
  events?: readonly EventName[];
  /** The age beyond which stale-timestamp expects a refusal (default 300). */
  toleranceSeconds?: number;
  /** Pinwheel's timeout: later answers fail response-time (default 15000). Each request waits longer for its answer (answerWaitMs). */
  timeoutMs?: number;
  /** An end user the app knows: positive checks carry it, and forgeries are sent for it as well as for an unknown one. */
  endUserId?: string;
  /** A GET returning a JSON count or list of what the app processed, read around duplicates. */
  stateUrl?: string;
  /** How long to wait for --state-url to reflect a delivery (default 1000 ms). */
  settleMs?: number;
  /** x-pinwheel-webhook-id on every request (default: one random id for the run). */
  webhookId?: string;
  /** The HTTP sender to use (default: a keep-alive pool closed at the end). */
  sender?: HttpSender;
  /** A reader of the app's state instead of GETting stateUrl. */
  readState?: StateReader;
  clock?: () => number;
  sleep?: (ms: number) => Promise<void>;
  /** Called as each check finishes, for progress. */
  onResult?(result: CheckResult): void;
  /** Stops the run where it is (the request in flight abandoned): it rejects with the signal's reason. */
  signal?: AbortSignal;
}

export interface CheckResult {
  id: CheckId;
  verdict: Verdict;
  /** What happened, in one line. */
  message: string;
  /** What the check sends. */
  sent: string;
  /** What came back, in short: "200 ×20", "401". */
  answered: string;
  /** How to fix it (also given for a pass, for the docs' sake). */
  fix: string;
  /** What a pass could not check, in a few words: "double processing not checked without --state-url". */
  unchecked?: string;
  /** Every request the check sent, with its answer. */
  exchanges: Exchange[];
  /** Those of them that show the problem (empty for a pass). */
  evidence: Exchange[];
}

export interface ConformanceReport {
  url: string;
  toleranceSeconds: number;
  timeoutMs: number;
  endUserId: string | null;
  stateUrl: string | null;
  passed: number;
  failed: number;
  warned: number;
  results: CheckResult[];
}

/**
 * How long a request waits for its answer: past the timeout, so that a late 2xx is still seen
 * (response-time says how late; the check that sent it judges what it said).
 */
export function answerWaitMs(timeoutMs: number): number {
  return Math.max(timeoutMs * 2, timeoutMs + 5000);
}

/** The checks to run, in the suite's order, whatever order they were named in. */
export function selectChecks(ids: readonly string[] | undefined): CheckId[] {
  if (ids === undefined) return [...CHECK_IDS];
  const unknown = ids.find((id) => !isCheckId(id));
  if (unknown !== undefined) throw new TypeError(`unknown conformance check "${unknown}"; checks: ${CHECK_IDS.join(", ")}`);
  return CHECK_IDS.filter((id) => ids.includes(id));
}

/**
 * Runs the conformance checks against a handler, one request at a time, and returns the report
 * card. Throws ConformanceError when nothing answers at the URL, or --state-url cannot be read,
 * before anything is judged.
 */
export async function runConformance(options: ConformanceOptions): Promise<ConformanceReport> {
  const ids = selectChecks(options.checks);
  const timeoutMs = options.timeoutMs ?? PINWHEEL_TIMEOUT_MS;
  const toleranceSeconds = options.toleranceSeconds ?? DEFAULT_TOLERANCE_SECONDS;
  const clock = options.clock ?? Date.now;
  const signal = options.signal;
  const sleep = options.sleep ?? ((ms: number) => wait(ms, undefined, { signal }));
  const sender = options.sender ?? createSender({ timeoutMs: answerWaitMs(timeoutMs), connections: 2 });
  const read = options.readState ?? (options.stateUrl !== undefined ? stateReader(options.stateUrl, timeoutMs) : undefined);
  const settleMs = options.settleMs ?? 1000;

  const all: Exchange[] = [];
  let current: Exchange[] = [];
  const unanswered = new UnansweredStreak();
  let lastAnswerAt: number | undefined;
  const send = async (request: ProbeRequest): Promise<Exchange> => {
    signal?.throwIfAborted();
    const attempt = await sender.send(options.url, request.body, request.headers, signal);
    lastAnswerAt = clock();
    // An attempt the signal ended is no answer of the handler's, to judge or to call unreachable.
    signal?.throwIfAborted();
    const exchange: Exchange = {
      label: request.label,
      event: request.event,
      eventId: request.eventId,
      sent: { method: "POST", url: options.url, headers: request.headers, body: request.body },
      answer: {
        statusCode: attempt.statusCode,
        durationMs: attempt.durationMs,
        error: attempt.error,
        errorKind: attempt.errorKind,
        responseBody: attempt.responseBody,
      },
    };
    // Nothing listening, or nothing that speaks HTTP: every check would fail for the same reason,
    // and some would look passed. A status that came is an HTTP answer, its body cut short or not.
    if (all.length === 0 && attempt.errorKind === "network" && attempt.statusCode === undefined) {
      const cause = attempt.error ?? "no answer";
      throw new ConformanceError(NOTHING_LISTENING.test(cause) ? "unreachable" : "no_http", options.url, cause);
    }
    all.push(exchange);
    // A handler that hangs, from the start or after a few answers (a leaked connection pool, a lock
    // never released), would take every request's wait: about half an hour for the suite at 15 s.
    if (unanswered.stuckAfter(attempt)) {
      const answered = all.length - UNANSWERED_IN_A_ROW_TO_STOP;
      const wait = `no answer within ${answerWaitMs(timeoutMs)} ms each`;
      throw new ConformanceError(
        "unresponsive",
        options.url,
        answered === 0
          ? `the first ${UNANSWERED_IN_A_ROW_TO_STOP} requests got ${wait}`
          : `${UNANSWERED_IN_A_ROW_TO_STOP} requests in a row got ${wait}, after ${answered} earlier ones`,
      );
    }
    current.push(exchange);
    return exchange;
  };

  const ctx: ProbeContext = {
    toleranceSeconds,
    timeoutMs,
    endUserId: options.endUserId,
    events: options.events ?? EVENT_NAMES,
    signer: { secret: options.secret, webhookId: options.webhookId ?? randomUUID(), nowSeconds: () => Math.floor(clock() / 1000) },
    nowMs: clock,
    send,
    exchanges: all,
    state: read && {
      read,
      settle: (from) => readAfterSettling(read, from, settleMs, sleep, clock),
      quiet: async () => {
        const left = lastAnswerAt === undefined ? 0 : lastAnswerAt + settleMs - clock();
        if (left > 0) await sleep(left);
        return read();
      },
    },
    memory: {},
  };

  let results: CheckResult[] = [];
  try {
    // Read once before sending anything: a wrong --state-url is a mistake to report, not a verdict.
    if (read) await read();
    for (const id of ids) {
      signal?.throwIfAborted();
      current = [];
      const outcome = blamedOnGenuineEvents(ctx, id, await PROBES[id](ctx));
      const definition = checkDefinition(id);
      const result: CheckResult = {
        id,
        verdict: outcome.verdict,
        message: outcome.message,
        sent: outcome.sent ?? definition.sends,
        answered: outcome.answered ?? summarizeAnswers(current),
        fix: outcome.fix ?? definition.fix,
        ...(outcome.unchecked === undefined ? {} : { unchecked: outcome.unchecked }),
        exchanges: current,
        evidence: outcome.verdict === "pass" ? [] : (outcome.evidence ?? []),
      };
      results.push(result);
      options.onResult?.(result);
    }
  } finally {
    if (!options.sender) await sender.close();
  }
  // A later check can show what an earlier one's failure comes from.
  results = readsMilliseconds(results);

  const count = (verdict: Verdict) => results.filter((result) => result.verdict === verdict).length;
  return {
    url: options.url,
    toleranceSeconds,
    timeoutMs,
    endUserId: options.endUserId ?? null,
    stateUrl: options.stateUrl ?? null,
    passed: count("pass"),
    failed: count("fail"),
    warned: count("warn"),
    results,
  };
}
