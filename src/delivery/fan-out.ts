import { versionedBody } from "../events/versions.js";
import type { DeliveryOutcome, LocalRegistry } from "../registry/local.js";
import type { DeliveryReport } from "./deliver.js";
import type { PlannedDelivery } from "./event-sequence.js";

/** A local webhook an event fans out to. */
export interface FanOutWebhook {
  id: string;
  url: string;
  version: string;
}

export interface FanOutOptions {
  registry: Pick<LocalRegistry, "recordDelivery">;
  /** How long a webhook may fail before the pause rule pauses it (Pinwheel: 30 days). */
  pauseAfterMs: number;
  /** Each webhook gets the payload format of its own version; without it, bodies go byte for byte. */
  versioned?: { keepEndUserId: boolean };
  send(item: PlannedDelivery & { webhookId: string }, url: string): Promise<DeliveryReport>;
  /** The pause rule paused this webhook just now: it receives nothing more in this run. */
  onPaused(webhook: FanOutWebhook, outcome: DeliveryOutcome): void;
}

/**
 * Delivers events to local webhooks as Pinwheel does: each webhook with its own id as
 * x-pinwheel-webhook-id, each one's health recorded after every delivery, and a webhook the
 * pause rule paused (or that was deleted) during the run sent nothing more.
 */
export class FanOut {
  private readonly stopped = new Set<string>();

  constructor(private readonly options: FanOutOptions) {}

  /** Whether the webhook still receives deliveries in this run. */
  receives(webhook: FanOutWebhook): boolean {
    return !this.stopped.has(webhook.id);
  }

  /** One event's deliveries to each webhook: in order for each, the webhooks in parallel. */
  async toEach(webhooks: readonly FanOutWebhook[], sequence: readonly PlannedDelivery[]): Promise<DeliveryReport[]> {
    const reports = await Promise.all(webhooks.map((webhook) => this.inOrder(webhook, sequence)));
    return reports.flat();
  }

  private async inOrder(webhook: FanOutWebhook, sequence: readonly PlannedDelivery[]): Promise<DeliveryReport[]> {
    const { versioned } = this.options;
    const reports: DeliveryReport[] = [];
    for (const item of sequence) {
      if (this.stopped.has(webhook.id)) break;
      const body = versioned ? versionedBody(item.body, webhook.version, versioned) : item.body;
      const report = await this.options.send({ ...item, body, webhookId: webhook.id }, webhook.url);
      reports.push(report);
      const outcome = this.options.registry.recordDelivery(webhook.id, report.ok, this.options.pauseAfterMs);
      if (!outcome) {
        this.stopped.add(webhook.id);
      } else if (outcome.pausedNow) {
        this.stopped.add(webhook.id);
        this.options.onPaused(webhook, outcome);
      }
    }
    return reports;
  }
}

/** Where each event fans out to: the active webhooks subscribed to it; and the paused ones it skips. */
export function recipientsByEvent(
  registry: Pick<LocalRegistry, "recipients">,
  events: Iterable<string>,
): { active: Map<string, FanOutWebhook[]>; webhooks: FanOutWebhook[]; paused: FanOutWebhook[] } {
  const active = new Map<string, FanOutWebhook[]>();
  const webhooks = new Map<string, FanOutWebhook>();
  const paused = new Map<string, FanOutWebhook>();
  for (const event of new Set(events)) {
    const recipients = registry.recipients(event);
    active.set(event, recipients.active.map(({ webhook }) => webhook));
    for (const { webhook } of recipients.active) webhooks.set(webhook.id, webhook);
    for (const { webhook } of recipients.paused) paused.set(webhook.id, webhook);
  }
  return { active, webhooks: [...webhooks.values()], paused: [...paused.values()] };
}

/**
 * One report for a delivery fanned out to several webhooks: the first failure, else the first
 * answer. Without any (no webhook subscribed, or each paused during the run) it is a report of no
 * attempt, not ok, whose error says why.
 */
export function fannedOutReport(reports: readonly DeliveryReport[], event: string): DeliveryReport {
  const report = reports.find((candidate) => !candidate.ok) ?? reports[0];
  if (report) return report;
  const final = { attempt: 0, ok: false, url: "", startedAt: new Date().toISOString(), durationMs: 0, error: `not sent: no active local webhook subscribed to ${event}` };
  return { ok: false, attempts: [], final };
}
