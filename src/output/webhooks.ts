import type { ChalkInstance } from "chalk";
import type { Webhook } from "../api/types.js";
import type { Output } from "./index.js";
import type { WebhookHealth } from "../registry/health.js";

/** How webhooks look on the terminal: a key/value block for one, a table for many. */

function when(iso: string | null): string {
  return iso ? iso.replace("T", " ").replace(/\.\d+Z$/, "Z") : "never";
}

export function statusText(c: ChalkInstance, status: string): string {
  return status === "active" ? c.green(status) : c.yellow(status);
}

export function healthText(c: ChalkInstance, health: WebhookHealth | undefined): string {
  if (!health) return "";
  if (health.consecutive_failures > 0) {
    const paused = health.auto_paused_at ? `, paused ${when(health.auto_paused_at)}` : "";
    return c.red(`${health.consecutive_failures} failed in a row since ${when(health.first_failure_at)}${paused}`);
  }
  return health.last_success_at ? c.green(`ok, last success ${when(health.last_success_at)}`) : c.dim("no deliveries yet");
}

function eventsText(events: readonly string[], max: number): string {
  return events.length <= max ? events.join(", ") : `${events.slice(0, max).join(", ")} +${events.length - max} more`;
}

export function printWebhook(out: Output, webhook: Webhook, health?: WebhookHealth): void {
  const { c } = out;
  const rows: [string, string][] = [
    ["id", webhook.id],
    ["url", webhook.url],
    ["status", statusText(c, webhook.status)],
    ["enabled_events", webhook.enabled_events.join(", ")],
    ["version", webhook.version],
    ["created_at", webhook.created_at],
    ["last_updated", webhook.last_updated],
  ];
  if (health) {
    rows.push(
      ["health", healthText(c, health)],
      ["last_success", when(health.last_success_at)],
      ["last_failure", when(health.last_failure_at)],
    );
  }
  const width = Math.max(...rows.map(([key]) => key.length));
  for (const [key, value] of rows) out.line(`${key.padEnd(width)}  ${value}`.trimEnd());
}

export function printWebhookTable(out: Output, webhooks: readonly Webhook[], health?: ReadonlyMap<string, WebhookHealth>): void {
  const { c } = out;
  const headers = ["ID", "STATUS", "URL", "EVENTS", "VERSION", ...(health ? ["HEALTH"] : [])];
  out.table(
    headers,
    webhooks.map((webhook) => [
      webhook.id,
      statusText(c, webhook.status),
      webhook.url,
      eventsText(webhook.enabled_events, 2),
      webhook.version,
      ...(health ? [healthText(c, health.get(webhook.id))] : []),
    ]),
  );
}

/** --json: the API's webhook, plus `health` where the local registry knows it. */
export function webhookJson(webhook: Webhook, health?: WebhookHealth): Record<string, unknown> {
  return health ? { ...webhook, health } : { ...webhook };
}
