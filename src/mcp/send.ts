import { resolveDbPath } from "../config.js";
import { CliError } from "../errors.js";
import { DeliveryRun, summarize, type ReplayOptionNames, type SentBodies } from "../cli/delivery-run.js";
import { retryPolicy } from "../delivery/retry-policy.js";
import { collectingOutput } from "../output/collect.js";
import type { DeliverySource } from "../store/deliveries.js";
import type { McpContext } from "./tool.js";

/** Why a call's sends ended early: what the log says (the client that asked gets no answer). */
export const STOPPED = "stopped: the client cancelled the call or closed the connection; every attempt made is recorded (deliveries list)";

/** Retries an agent waits for: all within 30 s (base 1 s), where Pinwheel's own schedule (base 30 s) spans 15 minutes. */
export const MCP_RETRY_BASE_MS = 1000;

/** The longest retry_base_ms: every retry within a minute (30 × base), where 30000 would be Pinwheel's 15. */
export const MCP_MAX_RETRY_BASE_MS = 2000;

/** replay_request's arguments, as failure hints name them (where the CLI's name its flags). */
const REPLAY_ARGUMENTS: ReplayOptionNames = { asRecorded: '"as_recorded"', includeUnverified: '"include_unverified"' };

export interface SendPlan {
  source: DeliverySource;
  url: string;
  /** Deliveries planned (each may take several attempts). */
  planned: number;
  timeoutMs: number;
  /** Retry base in ms, or undefined for no retries. */
  retryBaseMs?: number;
  /** Replay as recorded: no signing secret is used, and the failure hint speaks of the original headers. */
  unsigned?: boolean;
  /** "none" when the tool reports per check (smoke), as the CLI does. */
  attemptLines?: "auto" | "none";
}

export interface SendResult<T> {
  value: T;
  /** One record per attempt, as `simulate --json` prints them: status_code, error, duration_ms, response_body (what the app answered, up to 2 KiB)... */
  attempts: Record<string, unknown>[];
  notices: string[];
  sent: number;
  failed: number;
  /** The CLI's one-line failure summary, when any delivery failed. */
  failure: string | null;
}

/**
 * Sends through the same DeliveryRun as simulate, replay and smoke: one sender pool, every attempt
 * recorded in the event store under the CLI's own source names.
 */
export async function sendThrough<T>(context: McpContext, plan: SendPlan, work: (run: DeliveryRun) => Promise<T>): Promise<SendResult<T>> {
  const out = collectingOutput();
  const run = DeliveryRun.open(out, {
    source: plan.source,
    dbPath: resolveDbPath(context.db),
    url: plan.url,
    secret: plan.unsigned ? "" : context.secret.secret,
    timeoutMs: plan.timeoutMs,
    concurrency: 4,
    retry: plan.retryBaseMs === undefined ? undefined : retryPolicy(plan.retryBaseMs),
    planned: plan.planned,
    attemptLines: plan.attemptLines ?? "auto",
    longLived: true,
    signal: context.signal,
  });
  let value!: T;
  let summary;
  try {
    summary = await run.finish(work(run).then((result) => void (value = result)));
  } catch (error) {
    // The client cancelled or went away: the run stopped where it was, every attempt made recorded.
    if (context.signal?.aborted) throw new CliError(STOPPED);
    throw error;
  }
  const sent: SentBodies = plan.unsigned ? "as-recorded" : "events";
  const failure = summarize(out, summary, plan.url, { verbose: true, sent, names: REPLAY_ARGUMENTS }) ?? null;
  const attempts = out.records.filter((record): record is Record<string, unknown> => (record as { type?: unknown }).type === "attempt");
  return { value, attempts, notices: out.notices, sent: summary.sent, failed: summary.failed.length, failure };
}

/** How much of an answer the text rendering quotes (the structured result has the whole excerpt, up to 2 KiB). */
const QUOTED_ANSWER_CHARS = 300;

/** What the app answered, on one line, for the text rendering under a failed attempt or check. */
export function quotedAnswer(body: unknown): string | undefined {
  if (typeof body !== "string" || body.trim() === "") return undefined;
  const line = body.replace(/\s+/g, " ").trim();
  return `    answered: ${line.length > QUOTED_ANSWER_CHARS ? `${line.slice(0, QUOTED_ANSWER_CHARS)}…` : line}`;
}

/** "✔ 200 paystubs.added → http://... 12 ms" lines for the text rendering; under a failed one, what the app answered. */
export function attemptLines(attempts: readonly Record<string, unknown>[]): string[] {
  return attempts.flatMap((a) => {
    const status = a.status_code ?? a.error ?? "error";
    const retry = Number(a.attempt) > 1 ? ` (attempt ${a.attempt})` : "";
    // Sent as recorded, a request to be refused passes on its 4XX (passed), whatever its HTTP ok.
    const good = typeof a.passed === "boolean" ? a.passed : a.ok;
    const line = `${good ? "✔" : "✖"} ${status}  ${a.event ?? "(custom body)"}  → ${a.url}  ${a.duration_ms} ms  ${a.event_id ?? ""}${retry}`;
    const answer = good ? undefined : quotedAnswer(a.response_body);
    return answer === undefined ? [line] : [line, answer];
  });
}
