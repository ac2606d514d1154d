import { randomUUID } from "node:crypto";
import { setMaxListeners } from "node:events";
import type { Db } from "../store/database.js";
import type { StoredRequest } from "../store/requests.js";
import { WEBHOOK_ID_HEADER } from "../signing.js";
import { storedHeader } from "./recorded-headers.js";
import { deliver, type DeliveryReport } from "./deliver.js";
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
}

export interface Forwarder {
  readonly url: string;
  accepts(request: StoredRequest): boolean;
  /** Sends the stored request's body byte for byte to the app; every attempt is recorded against the request. */
  forward(request: StoredRequest): Promise<DeliveryReport>;
  /** Abandons every forward in flight: its attempt now and any retry to come. Returns how many there were. */
  abandon(): number;
  /** True once abandoned: nothing more is forwarded. */
  readonly stopped: boolean;
  close(): Promise<void>;
}

/** listen --forward-to: each verified event goes on to the user's app through the delivery engine. */
export function createForwarder(options: ForwarderOptions): Forwarder {
  const sender = createSender({ timeoutMs: options.timeoutMs, connections: 32 });
  const recorder = attemptRecorder(options.db);
  const events = new Set(options.events ?? []);
  const stop = new AbortController();
  // Every forward in flight (and every retry waiting) listens on this one signal: hundreds is normal, not a leak.
  setMaxListeners(0, stop.signal);
  let inFlight = 0;
  return {
    url: options.url,
    accepts(request) {
      const verified = request.verification === "verified" || request.verification === "skipped";
      return verified && request.statusCode === 200 && (events.size === 0 || (request.event !== null && events.has(request.event)));
    },
    forward(request) {
      const deliveryId = randomUUID();
      const webhookId = storedHeader(request, WEBHOOK_ID_HEADER);
      inFlight++;
      const delivery = deliver(
        sender,
        { url: options.url, body: request.body, secret: options.secret, webhookId },
        {
          retry: options.retry,
          signal: stop.signal,
          onAttempt: (attempt) =>
            recorder.record(
              { deliveryId, source: "forward", event: request.event, eventId: request.eventId, webhookId: webhookId ?? null, requestId: request.id },
              attempt,
            ),
        },
      );
      void delivery.finally(() => inFlight--).catch(() => {});
      return delivery;
    },
    abandon() {
      stop.abort(new Error("abandoned: listen was stopping"));
      return inFlight;
    },
    get stopped() {
      return stop.signal.aborted;
    },
    async close() {
      await sender.close();
      await recorder.close();
    },
  };
}
