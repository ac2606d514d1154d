import type { WebhookStatus } from "../api/environments.js";

/** What the local registry knows about a webhook's deliveries (Pinwheel keeps this to itself). */
export interface WebhookHealth {
  consecutive_failures: number;
  first_failure_at: string | null;
  last_failure_at: string | null;
  last_success_at: string | null;
  /** Set when the pause rule, not the user, paused the webhook. */
  auto_paused_at: string | null;
}

export interface HealthState extends WebhookHealth {
  status: WebhookStatus;
}

/**
 * Pinwheel's pause rule: a webhook that has not answered 2xx for `pauseAfterMs` (30 days there)
 * is set to paused. A success ends the streak; the streak starts at its first failure.
 */
export function afterDelivery(state: HealthState, ok: boolean, now: number, pauseAfterMs: number): HealthState {
  const at = new Date(now).toISOString();
  if (ok) return { ...state, consecutive_failures: 0, first_failure_at: null, last_success_at: at };
  const firstFailureAt = state.first_failure_at ?? at;
  const failing: HealthState = { ...state, consecutive_failures: state.consecutive_failures + 1, first_failure_at: firstFailureAt, last_failure_at: at };
  if (state.status === "active" && now - Date.parse(firstFailureAt) >= pauseAfterMs) {
    return { ...failing, status: "paused", auto_paused_at: at };
  }
  return failing;
}
