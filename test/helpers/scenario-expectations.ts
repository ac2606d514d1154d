/**
 * What each built-in scenario must deliver, in order, written down independently of the
 * scenario files in fixtures/scenarios/: a change to a file that changes what arrives must
 * change this list too.
 */
export type ExpectedKind = "event" | "duplicate" | "resend";

export interface ExpectedDelivery {
  event: string;
  kind: ExpectedKind;
  /** 1-based step number in the scenario file. */
  step: number;
  outOfOrder?: boolean;
  /** Deliveries sharing a tag must carry the same event_id and byte-identical bodies. */
  sameAs?: string;
  tag?: string;
}

export const BUILT_IN_SCENARIOS = [
  "at-least-once",
  "direct-deposit-switch",
  "monitoring-lost-and-restored",
  "paystubs-sync",
  "pending-then-success",
  "time-and-attendance",
] as const;

export type BuiltInScenario = (typeof BUILT_IN_SCENARIOS)[number];

export const EXPECTED_DELIVERIES: Record<BuiltInScenario, ExpectedDelivery[]> = {
  "at-least-once": [
    { step: 1, event: "account.added", kind: "event", tag: "login" },
    { step: 2, event: "paystubs.seven_days_synced", kind: "event", tag: "seven" },
    { step: 2, event: "paystubs.seven_days_synced", kind: "duplicate", sameAs: "seven" },
    { step: 4, event: "paystubs.ninety_days_synced", kind: "event" },
    // Built as step 3, delivered after the 90-day event.
    { step: 3, event: "paystubs.thirty_days_synced", kind: "event", outOfOrder: true },
    { step: 5, event: "paystubs.seven_days_synced", kind: "resend", sameAs: "seven" },
    { step: 6, event: "paystubs.fully_synced", kind: "event" },
    { step: 7, event: "account.added", kind: "resend", sameAs: "login" },
  ],
  "direct-deposit-switch": [
    { step: 1, event: "account.added", kind: "event" },
    { step: 2, event: "direct_deposit_switch.added", kind: "event" },
    { step: 3, event: "direct_deposit_switch.added", kind: "event" },
    { step: 4, event: "direct_deposit_switch.added", kind: "event" },
    { step: 5, event: "direct_deposit_allocations.added", kind: "event" },
  ],
  "monitoring-lost-and-restored": [
    { step: 1, event: "account.added", kind: "event" },
    { step: 2, event: "account.monitoring_status.updated", kind: "event" },
    { step: 3, event: "account.monitoring_status.updated", kind: "event" },
    { step: 4, event: "account.monitoring_status.updated", kind: "event" },
    { step: 5, event: "direct_deposit_allocations.added", kind: "event" },
    { step: 6, event: "paystubs.added", kind: "event" },
  ],
  "paystubs-sync": [
    { step: 1, event: "account.added", kind: "event" },
    { step: 2, event: "paystubs.added", kind: "event" },
    { step: 3, event: "paystubs.seven_days_synced", kind: "event" },
    { step: 4, event: "paystubs.thirty_days_synced", kind: "event" },
    { step: 5, event: "paystubs.ninety_days_synced", kind: "event" },
    { step: 6, event: "paystubs.fully_synced", kind: "event" },
    { step: 7, event: "paystubs.added", kind: "event" },
  ],
  "pending-then-success": [
    { step: 1, event: "account.added", kind: "event" },
    { step: 2, event: "income.added", kind: "event" },
    { step: 3, event: "employment.added", kind: "event" },
    { step: 4, event: "income.added", kind: "event" },
  ],
  "time-and-attendance": [
    { step: 1, event: "account.added", kind: "event" },
    { step: 2, event: "employment.added", kind: "event" },
    { step: 3, event: "identity.added", kind: "event" },
    { step: 4, event: "shifts.added", kind: "event" },
    { step: 5, event: "shifts.seven_days_synced", kind: "event" },
    { step: 6, event: "shifts.thirty_days_synced", kind: "event" },
    // Steps 7 and 8 are in flight together (step 7 is concurrent): either may arrive first.
    { step: 7, event: "shifts.ninety_days_synced", kind: "event" },
    { step: 8, event: "shifts.fully_synced", kind: "event" },
    { step: 9, event: "shifts.added", kind: "event" },
    { step: 10, event: "earnings_stream.payouts.refreshed", kind: "event" },
  ],
};

/** 0-based positions in EXPECTED_DELIVERIES whose relative arrival order is not fixed. */
export const UNORDERED_PAIRS: Partial<Record<BuiltInScenario, [number, number][]>> = {
  "time-and-attendance": [[6, 7]],
};

const DAY_MS = 86_400_000;

/** The UTC calendar date `days` before `nowMs`, as the scenarios' {{today-Nd}} templates write it. */
export function daysAgo(nowMs: number, days: number): string {
  return new Date(nowMs - days * DAY_MS).toISOString().slice(0, 10);
}

/** Whole days from one YYYY-MM-DD date to another. */
export function daysBetween(from: string, to: string): number {
  return Math.round((Date.parse(`${to}T00:00:00Z`) - Date.parse(`${from}T00:00:00Z`)) / DAY_MS);
}
