import { randomUUID } from "node:crypto";
import { readFileSync } from "node:fs";
import { resolveDbPath, resolveDefaultTarget } from "../config.js";
import { CliError, usageError } from "../errors.js";
import { buildEvent, pinwheelTimestamp, type Outcome } from "../events/build.js";
import { catalogEntry, type EventName } from "../events/catalog.js";
import type { WebhookEnvelope } from "../events/fixtures.js";
import { deliver, type DeliveryReport } from "../delivery/deliver.js";
import { runPool } from "../delivery/pool.js";
import { attemptRecorder } from "../delivery/recorder.js";
import { retryPolicy } from "../delivery/retry-policy.js";
import { createSender } from "../delivery/sender.js";
import { createOutput } from "../output/index.js";
import { deliveryJson, formatDeliveryLine, formatDuration } from "../output/delivery.js";
import { openDatabase } from "../store/database.js";
import { eventNameOrUsageError, secretFor } from "./shared.js";

export interface SimulateOptions {
  to?: string;
  secret?: string;
  webhookId?: string;
  accountId?: string;
  endUserId?: string;
  outcome?: Outcome;
  set?: string[];
  add?: string[];
  unset?: string[];
  data?: string;
  count: number;
  concurrency: number;
  timeout: number;
  retry?: boolean;
  retryBase?: number;
  duplicate?: number | true;
  pending?: boolean;
  db?: string;
  json?: boolean;
}

interface Planned {
  event: string | null;
  eventId: string | null;
  body: Buffer;
}

function readData(source: string): Buffer {
  try {
    return source === "-" ? readFileSync(0) : readFileSync(source);
  } catch (error) {
    throw usageError(`--data ${source}: cannot read it (${(error as Error).message})`);
  }
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

function planned(envelope: WebhookEnvelope): Planned {
  return { event: envelope.event, eventId: envelope.event_id, body: Buffer.from(JSON.stringify(envelope)) };
}

/** The deliveries for one simulated event, in the order they must arrive. */
function sequenceFor(name: EventName | undefined, options: SimulateOptions, data: Buffer | undefined): Planned[] {
  const duplicates = options.duplicate === undefined ? 0 : options.duplicate === true ? 1 : options.duplicate;
  let first: Planned;
  let followUp: Planned | undefined;
  if (data) {
    first = { ...identify(data), body: data };
  } else {
    const overrides = {
      accountId: options.accountId,
      endUserId: options.endUserId,
      set: options.set,
      add: options.add,
      unset: options.unset,
    };
    const initial = buildEvent(name!, { ...overrides, outcome: options.pending ? "pending" : options.outcome });
    first = planned(initial);
    if (options.pending) {
      // The same job (same payload.id) settles later under a new event_id, as Pinwheel documents.
      const result: Outcome = options.outcome === "error" ? "error" : "success";
      const settled = buildEvent(name!, { ...overrides, outcome: result });
      settled.payload = { ...settled.payload, id: initial.payload.id, timestamp: pinwheelTimestamp(Date.now()) };
      followUp = planned(settled);
    }
  }
  return [first, ...Array.from({ length: duplicates }, () => first), ...(followUp ? [followUp] : [])];
}

export async function run(eventArg: string | undefined, options: SimulateOptions): Promise<void> {
  const out = createOutput({ json: options.json });
  if (eventArg !== undefined && options.data !== undefined) {
    throw usageError("pass either an event name or --data <file>, not both");
  }
  if (eventArg === undefined && options.data === undefined) {
    throw usageError('name an event to simulate, e.g. "pinwheel-cli simulate paystubs.fully_synced" (see: fixtures list)');
  }
  const name = eventArg === undefined ? undefined : eventNameOrUsageError(eventArg);
  if (options.pending && name && !catalogEntry(name).job) {
    throw usageError(`--pending: ${name} is not a job event and carries no outcome`);
  }
  if (options.pending && options.outcome === "pending") {
    throw usageError("--pending sends the pending event itself; use --outcome success or error for the result that follows");
  }
  const data = options.data === undefined ? undefined : readData(options.data);
  // Build once up front so a bad override fails before anything is sent.
  const firstSequence = sequenceFor(name, options, data);

  const { secret } = secretFor(out, options.secret);
  const url = options.to ?? resolveDefaultTarget();
  const retry = options.retry || options.retryBase !== undefined ? retryPolicy(options.retryBase) : undefined;
  const webhookId = options.webhookId ?? randomUUID();

  const db = openDatabase(resolveDbPath(options.db));
  const recorder = attemptRecorder(db);
  const sender = createSender({ timeoutMs: options.timeout, connections: options.concurrency });
  const total = options.count;
  const verbose = options.json || total * firstSequence.length <= 20;
  const progress = out.progress(total, "simulate");
  const failures: DeliveryReport[] = [];
  const shownFailures = 10;
  let sent = 0;
  const started = performance.now();

  try {
    await runPool(total, options.concurrency, async (index) => {
      const sequence = index === 0 ? firstSequence : sequenceFor(name, options, data);
      for (const item of sequence) {
        const deliveryId = randomUUID();
        const report = await deliver(
          sender,
          { url, body: item.body, secret, webhookId },
          {
            retry,
            onAttempt(attempt) {
              recorder.record({ deliveryId, source: "simulate", event: item.event, eventId: item.eventId, webhookId }, attempt);
              const line = { event: item.event, eventId: item.eventId, attempt };
              if (options.json) out.ndjson(deliveryJson(line));
              else if (verbose || (!attempt.ok && failures.length < shownFailures)) out.line(formatDeliveryLine(out.c, line));
            },
            onWait(next, delayMs) {
              if (!options.json) out.notice(`  retrying in ${formatDuration(delayMs)} (attempt ${next} of ${retry!.maxRetries + 1})`);
            },
          },
        );
        sent++;
        if (!report.ok) failures.push(report);
        progress.tick(`${sent}/${total * sequence.length} sent, ${failures.length} failed`);
      }
    });
  } finally {
    progress.done();
    await sender.close();
    await recorder.flush().finally(() => db.close());
  }

  const seconds = (performance.now() - started) / 1000;
  if (!verbose) {
    out.line(
      `${out.c.bold(String(sent))} deliveries to ${url} in ${seconds.toFixed(2)} s (${Math.round(sent / seconds)}/s): ` +
        `${sent - failures.length} 2xx, ${failures.length} failed`,
    );
  }
  if (failures.length > 0) {
    const first = failures[0]!.final;
    const hint =
      first.errorKind === "network" && /ECONNREFUSED/.test(first.error ?? "")
        ? `; nothing is listening at ${url} (start one with "pinwheel-cli listen", or pass --to)`
        : "";
    throw new CliError(`${failures.length} of ${sent} deliveries failed${hint}`);
  }
}
