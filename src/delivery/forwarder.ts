import { randomUUID } from "node:crypto";
import { setMaxListeners } from "node:events";
import type { Db } from "../store/database.js";
import type { StoredRequest } from "../store/requests.js";
import { WEBHOOK_ID_HEADER } from "../signature-headers.js";
import { storedHeader } from "./recorded-headers.js";
import { deliver, type DeliveryReport, type NumberedAttempt } from "./deliver.js";
import { attemptRecorder } from "./recorder.js";
import type { RetryPolicy } from "./retry-policy.js";
import { createSender } from "./sender.js";

export interface ForwarderOptions {
  db: Db;
  url: string;
  /** Signs the forwarded copy: the listener's secret, or --forward-secret for an app configured with another. */
  secret: string;
  timeoutMs: number;
  retry?: RetryPolicy;
  /** Only these events are forwarded (all when empty). */
  events?: readonly string[];
  /** Bounds what waits on the app: forwards in flight or waiting for a retry, and their bodies' bytes. */
  queue?: Partial<ForwardQueueLimits>;
  /** An attempt that could not be recorded (a full disk): said once, never thrown at close. */
  onRecordError?(error: unknown): void;
}

export interface ForwardQueueLimits {
  forwards: number;
  bytes: number;
}

export const DEFAULT_FORWARD_QUEUE: ForwardQueueLimits = { forwards: 1000, bytes: 64 * 1024 * 1024 };

export interface ForwardReport extends DeliveryReport {
  /** Not sent: the queue was full. The sender of the request is asked to retry (with --forward-status). */
  shed?: boolean;
}

/**
 * Every forward carries this header: the random ids of the listeners it has passed through, its
 * own last. A request that arrives with this listener's id in it came back from --forward-to,
 * whatever name or address led there (0.0.0.0, the host's name, a proxy, another listener
 * forwarding back), and is not forwarded again; nor is one that has passed MAX_FORWARD_HOPS.
 */
export const FORWARD_MARKER_HEADER = "x-pinwheel-cli-forward";

/** Listeners a forward may pass through: a chain longer than any real set-up is a loop. */
export const MAX_FORWARD_HOPS = 8;

export interface Forwarder {
  readonly url: string;
  /** The request is one of this forwarder's own forwards, come back: --forward-to leads to this listener. */
  cameBack(request: StoredRequest): boolean;
  /** Whether the request is to be forwarded (never one that came back). */
  accepts(request: StoredRequest): boolean;
  /** Sends the stored request's body byte for byte to the app; every attempt is recorded against the request. */
  forward(request: StoredRequest): Promise<ForwardReport>;
  /** Abandons every forward in flight: its attempt now and any retry to come. Returns how many there were. */
  abandon(): number;
  /** True once abandoned: nothing more is forwarded. */
  readonly stopped: boolean;
  close(): Promise<void>;
}

const mebibytes = (bytes: number) => Math.round((bytes / 1024 / 1024) * 10) / 10;

/** listen --forward-to: each verified event goes on to the user's app through the delivery engine. */
export function createForwarder(options: ForwarderOptions): Forwarder {
  const sender = createSender({ timeoutMs: options.timeoutMs, connections: 32 });
  const recorder = attemptRecorder(options.db, options.onRecordError);
  const events = new Set(options.events ?? []);
  const limits = { ...DEFAULT_FORWARD_QUEUE, ...options.queue };
  const stop = new AbortController();
  // Every forward in flight (and every retry waiting) listens on this one signal: hundreds is normal, not a leak.
  setMaxListeners(0, stop.signal);
  let inFlight = 0;
  let queuedBytes = 0;
  let closing: Promise<void> | undefined;
  const ownId = randomUUID();
  const ownMarker = { [FORWARD_MARKER_HEADER]: ownId };
  const hopsOf = (request: StoredRequest) => storedHeader(request, FORWARD_MARKER_HEADER)?.split(",").map((id) => id.trim()) ?? [];
  const cameBack = (request: StoredRequest) => {
    const hops = hopsOf(request);
    return hops.includes(ownId) || hops.length >= MAX_FORWARD_HOPS;
  };
  /** The marker a forward of `request` carries: the listeners it came through, then this one. */
  const markerFor = (request: StoredRequest) => {
    const hops = hopsOf(request);
    return hops.length === 0 ? ownMarker : { [FORWARD_MARKER_HEADER]: [...hops, ownId].join(", ") };
  };
  return {
    url: options.url,
    cameBack,
    accepts(request) {
      const verified = request.verification === "verified" || request.verification === "skipped";
      return verified && request.statusCode === 200 && (events.size === 0 || (request.event !== null && events.has(request.event))) && !cameBack(request);
    },
    forward(request) {
      const deliveryId = randomUUID();
      const webhookId = storedHeader(request, WEBHOOK_ID_HEADER);
      const context = { deliveryId, source: "forward" as const, event: request.event, eventId: request.eventId, webhookId: webhookId ?? null, requestId: request.id };
      const size = request.body.length;
      if (inFlight >= limits.forwards || queuedBytes + size > limits.bytes) {
        // An app that hangs (or fails under --forward-retry) would otherwise hold every body for as long as it takes.
        const reason =
          inFlight >= limits.forwards
            ? `${limits.forwards} forwards are already waiting on the app (--forward-queue)`
            : `the forwards waiting on the app already hold ${mebibytes(queuedBytes)} MiB of bodies (--forward-queue-mb ${mebibytes(limits.bytes)})`;
        const attempt: NumberedAttempt = {
          url: options.url,
          startedAt: new Date().toISOString(),
          durationMs: 0,
          error: `abandoned: not forwarded, ${reason}`,
          attempt: 1,
          ok: false,
        };
        recorder.record(context, attempt);
        return Promise.resolve({ ok: false, attempts: [attempt], final: attempt, shed: true });
      }
      inFlight++;
      queuedBytes += size;
      const delivery = deliver(
        sender,
        { url: options.url, body: request.body, secret: options.secret, webhookId, extraHeaders: markerFor(request) },
        {
          retry: options.retry,
          signal: stop.signal,
          onAttempt: (attempt) => recorder.record(context, attempt),
        },
      );
      void delivery
        .finally(() => {
          inFlight--;
          queuedBytes -= size;
        })
        .catch(() => {});
      return delivery;
    },
    abandon() {
      if (!stop.signal.aborted) {
        stop.abort(new Error("abandoned: listen was stopping"));
        // Each forward has ended on the signal; this drops their connections and the queue (a
        // close() already under way is left to finish as it began).
        closing ??= (async () => {
          await sender.abandon?.();
          await recorder.close();
        })();
      }
      return inFlight;
    },
    get stopped() {
      return stop.signal.aborted;
    },
    close() {
      closing ??= (async () => {
        await sender.close();
        await recorder.close();
      })();
      return closing;
    },
  };
}
