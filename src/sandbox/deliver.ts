import { PINWHEEL_PAUSE_AFTER_MS } from "../api/environments.js";
import { deliver } from "../delivery/deliver.js";
import { attemptRecorder } from "../delivery/recorder.js";
import type { RetryPolicy } from "../delivery/retry-policy.js";
import { ABANDONED_ATTEMPT, createSender } from "../delivery/sender.js";
import type { WebhookEnvelope } from "../events/fixtures.js";
import type { LocalRegistry } from "../registry/local.js";
import type { Db } from "../store/database.js";
import { randomUUID } from "node:crypto";

export interface SequenceDelivery {
  event: string;
  event_id: string;
  webhook_id: string;
  /** The webhook's URL. */
  url: string;
  /** The final attempt's HTTP status; null when it got no answer. */
  status_code: number | null;
  ok: boolean;
  attempts: number;
  error: string | null;
}

export interface SkippedWebhook {
  webhook_id: string;
  /** The webhook's URL. */
  url: string;
  reason: "paused";
}

export interface SequenceReport {
  deliveries: SequenceDelivery[];
  skipped: SkippedWebhook[];
}

export interface DeliverSequenceOptions {
  db: Db;
  registry: LocalRegistry;
  /** The API key's secret: Pinwheel signs with the secret the webhooks were registered with. */
  secret: string;
  /** Per attempt; Pinwheel waits 15 s. */
  timeoutMs?: number;
  retry?: RetryPolicy;
  pauseAfterMs?: number;
  /** Ends the attempt in flight and sends nothing more. */
  signal?: AbortSignal;
}

const DEFAULT_TIMEOUT_MS = 15_000;

/**
 * Delivers events, in order, to every active registered webhook subscribed to each one, signed
 * with the API secret, with the webhook's id as x-pinwheel-webhook-id. Each webhook gets its
 * events one after another (an account.added before the jobs it announces); webhooks are served
 * side by side. Attempts are recorded (deliveries list) and each result feeds the webhook's health.
 */
export async function deliverSequence(envelopes: readonly WebhookEnvelope[], options: DeliverSequenceOptions): Promise<SequenceReport> {
  const perWebhook = new Map<string, { url: string; envelopes: WebhookEnvelope[] }>();
  const skipped = new Map<string, SkippedWebhook>();
  for (const envelope of envelopes) {
    const { active, paused } = options.registry.recipients(envelope.event);
    for (const { webhook } of paused) skipped.set(webhook.id, { webhook_id: webhook.id, url: webhook.url, reason: "paused" });
    for (const { webhook } of active) {
      const entry = perWebhook.get(webhook.id) ?? { url: webhook.url, envelopes: [] };
      entry.envelopes.push(envelope);
      perWebhook.set(webhook.id, entry);
    }
  }
  if (perWebhook.size === 0) return { deliveries: [], skipped: [...skipped.values()] };

  const sender = createSender({ timeoutMs: options.timeoutMs ?? DEFAULT_TIMEOUT_MS, connections: 4 });
  // The attempt a caller's signal ends is recorded as abandoned, not in the words of its abort reason.
  const stop = new AbortController();
  const abandon = () => stop.abort(new Error(ABANDONED_ATTEMPT.error));
  if (options.signal?.aborted) abandon();
  options.signal?.addEventListener("abort", abandon, { once: true });
  const recorder = attemptRecorder(options.db);
  const pauseAfterMs = options.pauseAfterMs ?? PINWHEEL_PAUSE_AFTER_MS;
  const results = new Map<WebhookEnvelope, SequenceDelivery[]>();
  try {
    await Promise.all(
      [...perWebhook].map(async ([webhookId, { url, envelopes: own }]) => {
        for (const envelope of own) {
          const deliveryId = randomUUID();
          const report = await deliver(
            sender,
            { url, body: JSON.stringify(envelope), secret: options.secret, webhookId },
            {
              retry: options.retry,
              signal: stop.signal,
              onAttempt: (attempt) =>
                recorder.record({ deliveryId, source: "sandbox", event: envelope.event, eventId: envelope.event_id, webhookId }, attempt),
            },
          );
          const delivery: SequenceDelivery = {
            event: envelope.event,
            event_id: envelope.event_id,
            webhook_id: webhookId,
            url,
            status_code: report.final.statusCode ?? null,
            ok: report.ok,
            attempts: report.attempts.length,
            error: report.final.error ?? null,
          };
          results.set(envelope, [...(results.get(envelope) ?? []), delivery]);
          const health = options.registry.recordDelivery(webhookId, report.ok, pauseAfterMs);
          // A webhook deleted or paused by the pause rule during the sequence receives nothing more.
          if (!health || health.pausedNow || stop.signal.aborted) break;
        }
      }),
    );
  } finally {
    options.signal?.removeEventListener("abort", abandon);
    try {
      await sender.close();
    } finally {
      await recorder.close();
    }
  }
  // In the sequence's order, whichever webhook answered first.
  return { deliveries: envelopes.flatMap((envelope) => results.get(envelope) ?? []), skipped: [...skipped.values()] };
}
