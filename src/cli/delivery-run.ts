import { randomUUID } from "node:crypto";
import { deliver, type DeliveryReport, type NumberedAttempt } from "../delivery/deliver.js";
import { notRetriedWhy } from "../conformance/exchange.js";
import { stagedAttemptRecorder, type AttemptRecorder, type DeliveryContext } from "../delivery/recorder.js";
import type { RetryPolicy } from "../delivery/retry-policy.js";
import { createSenderFor, sendsOverUndici } from "../delivery/node-sender.js";
import type { HttpSender } from "../delivery/sender.js";
import type { Output, Progress } from "../output/index.js";
import { deliveryJson, formatAge, formatDeliveryLine, formatDuration } from "../output/delivery.js";
import { openDatabase, type Db } from "../store/database.js";
import { isStoreError } from "../store/store-error.js";
import { currentInstaller, driverAdvice } from "./installer.js";
import { stoppableRun } from "../delivery/stoppable-run.js";
import { notSentAfterUnanswered, UnansweredStreak } from "../delivery/unanswered-streak.js";
import { keepWasmOnBaselineCompiler } from "./short-run-wasm.js";
import { lowerHelperThreadPriority } from "./background-threads.js";
import type { DeliverySource } from "../store/deliveries.js";
import { SIGNATURE_HEADER, TIMESTAMP_HEADER } from "../signature-headers.js";
import { certificateHint } from "../transport-error.js";
import { answeredAsExpected, type ExpectedRefusal } from "../delivery/replay-item.js";
import { monotonicMs } from "../monotonic.js";

export interface RunItem {
  event: string | null;
  eventId: string | null;
  body: Buffer;
  webhookId?: string;
  recordedHeaders?: Record<string, string>;
  /** Sent as recorded: how the stored request fared when it arrived ("verified", or why it failed). */
  recordedVerification?: string;
  /** Why listen refused the stored request after its signature verified (replay --include-rejected). */
  recordedRejection?: string;
  /** Sent as recorded, a request the app should refuse (stale, or never verified): a 4XX passes, a 2xx fails. */
  expectedRefusal?: ExpectedRefusal;
  requestId?: number;
}

/**
 * A delivery that failed, with how the stored request fared when it arrived: its verdict when it
 * was sent as recorded, and listen's reason when listen refused it as no Pinwheel event.
 */
export type FailedDelivery = DeliveryReport & Pick<RunItem, "recordedVerification" | "recordedRejection" | "expectedRefusal">;

export interface RunOptions {
  source: DeliverySource;
  dbPath: string;
  /**
   * A connection to dbPath the run records through instead of opening its own (replay lends the
   * one it reads with: one connection fewer to open, and to close). It stays open after the run.
   */
  db?: Db;
  url: string;
  secret: string;
  timeoutMs: number;
  concurrency: number;
  retry?: RetryPolicy;
  /** How many deliveries are planned, for progress; lines are printed per attempt when it is small. */
  planned: number;
  /**
   * x-pinwheel-webhook-id for items that bring none: Pinwheel sends it on every delivery, so a run
   * sends one id throughout, as one webhook would.
   */
  webhookId?: string;
  /** "none" when the command prints its own report (smoke), in --json too. */
  attemptLines?: "auto" | "none";
  /**
   * The process goes on after the run (the MCP server): its helper threads keep their priority,
   * which a command that exits after its burst lowers (lowerHelperThreadPriority).
   */
  longLived?: boolean;
  /**
   * Stop taking deliveries once three in a row got no answer (UnansweredStreak), as simulate
   * --count and replay do: against a hung app each one left would wait out its whole timeout.
   */
  stopWhenUnanswered?: boolean;
  /**
   * Its caller gave up (an MCP client cancelled the call or closed stdin): attempts in flight are
   * abandoned, each recorded as such, no retry waits on, and a delivery asked for after it throws.
   */
  signal?: AbortSignal;
}

export interface RunSummary {
  sent: number;
  failed: FailedDelivery[];
  seconds: number;
  /** Planned deliveries not sent once the app had stopped answering (0 when it never did). */
  notSent: number;
  timeoutMs: number;
  /** Deliveries that should have been refused (RunItem.expectedRefusal) and were: passed, with a 4XX. */
  refusedAsExpected?: number;
  /** Some delivery should have been refused: the count of passes is not one of 2xx answers. */
  expectingRefusal?: boolean;
}

const SHOWN_FAILURES = 10;

/** Runs whose --json prints a line per attempt (smoke's prints one report at the end instead). */
const NDJSON_SOURCES: ReadonlySet<DeliverySource> = new Set(["simulate", "replay", "fanout"]);

/**
 * The store a run records its attempts in. Without a usable SQLite driver (a package manager that
 * skipped better-sqlite3's build, an addon built for another Node) there is none: the deliveries
 * still go out, which is what the command is for, and the run says once what is not recorded and
 * how to mend the driver. Any other failure to open the store stops the run, as before.
 */
function openRunStore(out: Output, dbPath: string): Db | undefined {
  try {
    return openDatabase(dbPath);
  } catch (error) {
    if (!isStoreError(error) || error.kind !== "driver_unavailable") throw error;
    out.warn(`${error.message}; ${driverAdvice(currentInstaller(), error.addon)}. Sending anyway; this run's attempts are not recorded (deliveries list and replay will not see them)`);
    return undefined;
  }
}

/** The recorder of a run with no store: every attempt is sent and reported, none is kept. */
const UNRECORDED: AttemptRecorder = {
  record() {},
  full: false,
  room: () => Promise.resolve(),
  shed: 0,
  flush: () => Promise.resolve(),
  close: () => Promise.resolve(),
};

/**
 * The command-side glue around the delivery engine shared by simulate, replay and smoke: one
 * sender pool, one attempt recorder, one way of printing attempts and progress.
 */
export class DeliveryRun {
  private sent = 0;
  private refusedAsExpected = 0;
  private expectingRefusal = false;
  private readonly failed: FailedDelivery[] = [];
  private readonly started = monotonicMs();
  private readonly progress: Progress;
  private readonly webhookId: string;
  private readonly unanswered = new UnansweredStreak();
  private stuck = false;
  /** Ctrl+C: attempts in flight are abandoned and every attempt made is written before the process exits. */
  private readonly stopping = stoppableRun(
    () => this.recorder,
    () => this.sender,
    // A run of many says where it stopped; one delivery was simply stopped.
    (abandoned) => {
      const { sent, failed, options, out } = this;
      if (options.planned <= 1) return undefined;
      const notSent = Math.max(0, options.planned - sent - abandoned);
      // --json's reader gets where it stopped as a last line of its own (the summary line never comes).
      if (out.json && NDJSON_SOURCES.has(options.source)) {
        const refusals = this.refusedAsExpected > 0 ? { refused_as_expected: this.refusedAsExpected } : {};
        out.ndjson({ type: "interrupted", sent, ok: sent - failed.length, ...refusals, failed: failed.length, abandoned, not_sent: notSent });
      }
      // As the summary line counts them: answers as expected, a refusal of a stale recording included.
      const answered = this.expectingRefusal ? `${sent - failed.length} as expected, ${this.refusedAsExpected} of them refused` : `${sent - failed.length} 2xx`;
      return (
        `after ${sent} of ${options.planned} deliveries (${answered}, ${failed.length} failed); ` +
        `${abandoned} abandoned in flight, ${notSent} not sent` +
        (this.db ? "; every attempt made is recorded (pinwheel-cli deliveries list)" : "")
      );
    },
  );
  readonly verbose: boolean;
  /** What ends a wait for a retry: Ctrl+C, or the caller's signal. */
  private readonly retrySignal: AbortSignal;
  private readonly abandonInFlight = () => void this.sender.abandon?.();

  private constructor(
    private readonly out: Output,
    private readonly options: RunOptions,
    /** Undefined when no store could be opened for want of a SQLite driver: nothing is recorded (see openRunStore). */
    private readonly db: Db | undefined,
    private readonly recorder: AttemptRecorder,
    private readonly sender: HttpSender,
  ) {
    this.verbose = out.json || (options.attemptLines !== "none" && options.planned <= 20);
    this.progress = out.progress(options.planned, options.source);
    this.webhookId = options.webhookId ?? randomUUID();
    this.retrySignal = options.signal ? AbortSignal.any([this.stopping.signal, options.signal]) : this.stopping.signal;
    options.signal?.addEventListener("abort", this.abandonInFlight, { once: true });
  }

  static open(out: Output, options: RunOptions): DeliveryRun {
    const db = options.db ?? openRunStore(out, options.dbPath);
    let recorder: AttemptRecorder;
    try {
      recorder = db ? stagedAttemptRecorder(db) : UNRECORDED;
    } catch (error) {
      if (!options.db) db?.close();
      throw error;
    }
    if (sendsOverUndici(options.planned)) {
      keepWasmOnBaselineCompiler();
      if (!options.longLived) lowerHelperThreadPriority();
    }
    const sender = createSenderFor(options.planned, { timeoutMs: options.timeoutMs, connections: options.concurrency });
    return new DeliveryRun(out, options, db, recorder, sender);
  }

  /** The app stopped answering (see RunOptions.stopWhenUnanswered): deliveries not yet started are to be left unsent. */
  get stoppedAnswering(): boolean {
    return this.stuck;
  }

  async send(item: RunItem, url = this.options.url): Promise<DeliveryReport> {
    const { out, options } = this;
    if (options.signal?.aborted) throw new Error("the run was stopped by its caller");
    const webhookId = item.webhookId ?? this.webhookId;
    const context: DeliveryContext = { deliveryId: randomUUID(), source: options.source, event: item.event, eventId: item.eventId, webhookId, requestId: item.requestId };
    const report = await this.stopping.run(() => deliver(
      this.sender,
      { url, body: item.body, secret: options.secret, webhookId, recordedHeaders: item.recordedHeaders },
      {
        retry: options.retry,
        signal: options.retry ? this.retrySignal : undefined,
        onAttempt: (attempt) => {
          this.recorder.record(context, attempt);
          if (options.attemptLines === "none") return;
          const line = { event: item.event, eventId: item.eventId, attempt, expectedRefusal: item.expectedRefusal, requestId: item.requestId };
          if (out.json) {
            // ok is the HTTP outcome; passed says whether it is the one expected (a refusal, here).
            const expected = item.expectedRefusal === undefined ? {} : { expected: "refusal", passed: answeredAsExpected(item.expectedRefusal, attempt) };
            // webhook_id: the x-pinwheel-webhook-id sent, which tells apart two webhooks at one URL (the fan-out).
            out.ndjson({ ...deliveryJson(line), webhook_id: webhookId, request_id: item.requestId ?? null, ...expected });
          } else if (this.verbose || (!answeredAsExpected(item.expectedRefusal, attempt) && this.failed.length < SHOWN_FAILURES)) out.line(formatDeliveryLine(out.c, line));
        },
        onWait: (next, delayMs) => {
          if (!out.json) out.notice(`  retrying in ${formatDuration(delayMs)} (attempt ${next} of ${(options.retry?.maxRetries ?? 0) + 1})`);
        },
      },
    ));
    this.sent++;
    const passed = answeredAsExpected(item.expectedRefusal, report.final);
    if (item.expectedRefusal !== undefined) this.expectingRefusal = true;
    if (passed && !report.ok) this.refusedAsExpected++;
    if (!passed) {
      const failed: FailedDelivery = { ...report };
      if (item.recordedVerification !== undefined) failed.recordedVerification = item.recordedVerification;
      if (item.recordedRejection !== undefined) failed.recordedRejection = item.recordedRejection;
      if (item.expectedRefusal !== undefined) failed.expectedRefusal = item.expectedRefusal;
      this.failed.push(failed);
    }
    if (options.stopWhenUnanswered && this.unanswered.stuckAfter(report.final)) this.stuck = true;
    this.progress.tick(() => `${this.sent}/${options.planned} sent, ${this.failed.length} failed`);
    return report;
  }

  /** Waits for the work, then closes the run whatever happened; the work's own error wins. */
  async finish(work: Promise<unknown>): Promise<RunSummary> {
    let failure: { error: unknown } | undefined;
    await work.catch((error: unknown) => (failure = { error }));
    const summary = await this.close();
    if (failure) throw failure.error;
    return summary;
  }

  /** Closes the pool and waits until every attempt is recorded. */
  async close(): Promise<RunSummary> {
    this.stopping.release();
    this.options.signal?.removeEventListener("abort", this.abandonInFlight);
    this.progress.done();
    // The pool's connections close while the last attempts are written and the store's file is
    // brought up to date (a connection the run opened checkpoints as it closes): one waits on
    // sockets, the other works. The attempts are written even when the pool fails to close.
    const closed = await Promise.allSettled([
      this.sender.close(),
      this.recorder.close().finally(() => {
        if (!this.options.db) this.db?.close();
      }),
    ]);
    for (const result of closed) if (result.status === "rejected") throw result.reason;
    return {
      sent: this.sent,
      failed: this.failed,
      seconds: (monotonicMs() - this.started) / 1000,
      notSent: this.stuck ? this.options.planned - this.sent : 0,
      timeoutMs: this.options.timeoutMs,
      refusedAsExpected: this.refusedAsExpected,
      expectingRefusal: this.expectingRefusal,
    };
  }
}



/** Why a 401 happens, for simulate's and smoke's failure line: the receiver verifies with another secret. */
const REFUSED_SIGNATURE_HINT = "the receiver refused the signature (is the secret the one it verifies with? see --secret and PINWHEEL_API_SECRET)";

/**
 * What a run sent, for the hint to its first failure: signed events (from the catalog, a
 * scenario, or a replay re-signed), the user's --data body, or stored requests sent as recorded.
 */
export type SentBodies = "events" | "data-file" | "as-recorded";

/** How a hint names replay's options: the CLI's flags, or the MCP tool's arguments. */
export interface ReplayOptionNames {
  asRecorded: string;
  includeUnverified: string;
}

const REPLAY_FLAGS: ReplayOptionNames = { asRecorded: "--as-recorded", includeUnverified: "--include-unverified" };

export interface SummaryOptions {
  /** Each attempt had its own line, so the one-line count is not printed. */
  verbose: boolean;
  sent?: SentBodies;
  /** The names the hints give replay's options (the CLI's flags unless said). */
  names?: ReplayOptionNames;
  /** What the run left out before sending, for the --json summary line (replay's selection). */
  skipped?: Readonly<Record<string, number>>;
}

/**
 * What a stored request carried that no secret verifies, by how listen judged it when it arrived:
 * sent as recorded, it carries it still.
 */
const UNVERIFIABLE_AS_RECORDED: Readonly<Record<string, string>> = {
  missing_signature: `carried no ${SIGNATURE_HEADER}`,
  malformed_signature: `carried a malformed ${SIGNATURE_HEADER}`,
  missing_timestamp: `carried no ${TIMESTAMP_HEADER}`,
  malformed_timestamp: `carried a malformed ${TIMESTAMP_HEADER}`,
};

/** The usual cause of the first failed delivery, when it has one: "; <why> (<what to check>)". */
export function failureHint(
  first: Pick<NumberedAttempt, "url" | "error" | "statusCode">,
  sent: SentBodies,
  { recordedVerification, recordedRejection, expectedRefusal }: Pick<FailedDelivery, "recordedVerification" | "recordedRejection" | "expectedRefusal"> = {},
  names: ReplayOptionNames = REPLAY_FLAGS,
): string {
  if (expectedRefusal !== undefined && first.statusCode !== undefined && first.statusCode < 300) return acceptedHint(expectedRefusal);
  const error = first.error ?? "";
  if (/ECONNREFUSED/.test(error)) return `; nothing is listening at ${first.url} (is your app, or "pinwheel-cli listen", running there?)`;
  if (/ENOTFOUND|EAI_AGAIN/.test(error)) return `; the host name of ${first.url} does not resolve (is it spelled right?)`;
  const certificate = certificateHint(error);
  if (certificate !== undefined) return `; the app's TLS certificate was refused: ${certificate}`;
  const status = first.statusCode;
  if (status !== undefined && status >= 300 && status < 400) {
    return `; the app answered with ${notRetriedWhy("a redirect")} (register the URL it redirects to: a trailing slash? https?)`;
  }
  if (status === undefined || status < 400 || status >= 500) return "";
  if (recordedRejection !== undefined) {
    return `; listen refused this request when it arrived, though its signature verified (${recordedRejection}), so the app refusing it too may be right`;
  }
  if (sent === "as-recorded") {
    // The original's own headers: a signature or timestamp no secret verifies is refused whatever the secret.
    const unverifiable = recordedVerification === undefined ? undefined : UNVERIFIABLE_AS_RECORDED[recordedVerification];
    if (unverifiable !== undefined) {
      return (
        `; the original request ${unverifiable}, and sent as recorded so does its replay: no secret verifies it, so the app refusing it is expected ` +
        `(to send it re-signed, replay it without ${names.asRecorded}, with ${names.includeUnverified})`
      );
    }
    if (recordedVerification === "bad_signature") {
      return (
        `; the original request's signature did not verify when it arrived (made with another secret, or over other bytes), and sent as recorded its replay carries it: ` +
        `the app refusing it is expected (to send it re-signed, replay it without ${names.asRecorded}, with ${names.includeUnverified})`
      );
    }
    // Verified, and sent before its x-timestamp was 5 minutes old (a staler one passes on a 4XX).
    if (recordedVerification === "verified") {
      return `; sent as recorded within 5 minutes of its x-timestamp, with the signature listen verified: the app refused what should pass (does it verify with the same secret, over the raw body?)`;
    }
    // Its own signature over its own, old, x-timestamp: a handler that checks freshness is right to refuse it.
    return `; sent as recorded, with its original x-timestamp and signature: a handler that checks freshness refuses a stale one, as it should (re-signed, it gets a fresh timestamp)`;
  }
  if (status === 401) return `; ${REFUSED_SIGNATURE_HINT}`;
  if (status === 404 || status === 405) return `; nothing at ${first.url} takes the POST (is that path your webhook route?)`;
  const lost = `${notRetriedWhy("a 4XX")}, so a genuine event answered ${status} is lost`;
  if (sent === "data-file") return `; the app refused your --data body (${lost})`;
  return `; the app refused a signed event (${lost}: answer 2XX to every event that passes verification; smoke --suite conformance checks it)`;
}

/** A request sent as recorded that the app should have refused and took. */
function acceptedHint(expected: ExpectedRefusal): string {
  const why =
    expected.kind === "stale"
      ? `its x-timestamp is ${formatAge(expected.ageSeconds)} old: a handler must refuse a request older than a few minutes, or anyone who captured one can replay it`
      : expected.kind === "untimely"
        ? `its x-timestamp (${expected.timestamp}) is not the time now in Unix seconds: a handler must refuse it, or a request signed for later can be replayed until then`
        : `its signature never verified (${expected.verification} when it arrived): a handler must refuse what no secret verifies`;
  return `; the app accepted a request sent as recorded, though ${why} (smoke --suite conformance checks both)`;
}

/** One line for many deliveries; a failure hint that names the usual cause of a refused connection. */
export function summarize(out: Output, summary: RunSummary, url: string, { verbose, sent = "events", names, skipped }: SummaryOptions): string | undefined {
  const { sent: count, failed, seconds, notSent } = summary;
  const refused = summary.refusedAsExpected ?? 0;
  if (out.json) {
    const refusals = refused > 0 ? { refused_as_expected: refused } : {};
    out.ndjson({ type: "summary", sent: count, ok: count - failed.length, ...refusals, failed: failed.length, not_sent: notSent, ...(skipped ? { skipped } : {}) });
  } else if (!verbose) {
    out.line(
      `${out.c.bold(String(count))} ${count === 1 ? "delivery" : "deliveries"} to ${url} in ${seconds.toFixed(2)} s (${Math.round(count / Math.max(seconds, 0.001))}/s): ` +
        `${summary.expectingRefusal ? `${count - failed.length} as expected (${refused} refused)` : `${count - failed.length} 2xx`}, ${failed.length} failed${notSent > 0 ? `, ${notSent} not sent` : ""}`,
    );
  }
  const first = failed[0]?.final;
  if (!first) return undefined;
  if (notSent > 0) {
    return `${failed.length} of ${count} deliveries failed, and ${notSentAfterUnanswered(notSent, summary.timeoutMs)}`;
  }
  return `${failed.length} of ${count} deliveries failed${failureHint(first, sent, failed[0], names)}`;
}
