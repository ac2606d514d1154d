import { matchesExpectation } from "../delivery/expected-answer.js";
import { UnansweredStreak } from "../delivery/unanswered-streak.js";
import { buildEvent } from "../events/build.js";
import type { EventName } from "../events/catalog.js";
import type { Scenario } from "../events/scenario.js";
import type { SmokeCheck } from "../output/smoke-report.js";
import type { DeliveryRun } from "./delivery-run.js";
import { playThroughRun } from "./play-scenario.js";
import type { ScenarioDelivery } from "../delivery/scenario-player.js";

export interface SmokePlan {
  /** One check per event, when there is no scenario. */
  names: readonly EventName[];
  scenario?: Scenario;
  expect: readonly string[];
  /** Scenario delays are divided by this (default 100). */
  speed?: number;
  /** The end_user_id every event carries (--end-user-id or config); the fixtures' made-up one otherwise. */
  endUserId?: string;
  /** Kept up to date as checks are sent and judged, for a report of an interrupted run. */
  progress?: SmokeProgress;
}

/** Where a smoke run is: what an interrupted run's report says of each check. */
export interface SmokeProgress {
  /** Sent and judged, in the order the answers came. */
  readonly judged: SmokeCheck[];
  /** Sent, no answer yet. */
  readonly sending: Set<string>;
  /** Not sent yet: an event, or a scenario's "step 4 shifts.added (duplicate)". */
  notSent: string[];
}

/** A run's progress before anything is sent: every check still to send. */
export function smokeProgress(plan: Pick<SmokePlan, "names" | "scenario">): SmokeProgress {
  return { judged: [], sending: new Set(), notSent: plan.scenario ? plannedSteps(plan.scenario).map(stepName) : [...plan.names] };
}

interface StepDelivery {
  step: number;
  event: string;
  kind: ScenarioDelivery["kind"];
}

const stepName = ({ step, event, kind }: StepDelivery) => `step ${step} ${event}${kind === "event" ? "" : ` (${kind})`}`;

/** Every delivery a scenario plans, in the file's order (deliver_after may send some later). */
function plannedSteps(scenario: Scenario): StepDelivery[] {
  const labelled = new Map(scenario.steps.flatMap((step) => (step.label === undefined ? [] : [[step.label, step] as const])));
  return scenario.steps.flatMap((step, index) => {
    const source = "resend" in step ? labelled.get(step.resend) : step;
    const event = source && "event" in source ? source.event : "";
    const first: StepDelivery = { step: index + 1, event, kind: "resend" in step ? "resend" : "event" };
    return [first, ...Array.from({ length: step.duplicate ?? 0 }, (): StepDelivery => ({ ...first, kind: "duplicate" }))];
  });
}

/** Moves a check from not sent to sending. */
function sending(progress: SmokeProgress | undefined, name: string, unsentName = name): void {
  if (!progress) return;
  const at = progress.notSent.indexOf(unsentName);
  if (at >= 0) progress.notSent.splice(at, 1);
  progress.sending.add(name);
}

/** Moves a check from sending to judged. */
function judged(progress: SmokeProgress | undefined, check: SmokeCheck): SmokeCheck {
  progress?.sending.delete(check.name);
  progress?.judged.push(check);
  return check;
}

/** The checks sent and judged, and the events not sent once the app had stopped answering. */
export interface SmokeChecks {
  checks: SmokeCheck[];
  /** The checks not sent, named as a sent one would be: an event, or a scenario's "4. step 4 shifts.added". */
  notSent: string[];
}

/** Sends each check through the run, in order, and judges each answer against the expectation (smoke and run_smoke). */
export async function smokeChecks(smokeRun: DeliveryRun, plan: SmokePlan): Promise<SmokeChecks> {
  const checks: SmokeCheck[] = [];
  const unanswered = new UnansweredStreak();
  const { progress } = plan;
  if (plan.scenario) {
    // As for events: three deliveries in a row without an answer, and the rest of the scenario is not sent.
    let stuck = false;
    const unsent: ScenarioDelivery[] = [];
    // Numbered in the order they are sent; listed in the order their answers came.
    let sent = 0;
    await playThroughRun(smokeRun, plan.scenario, {
      speed: plan.speed ?? 100,
      ids: { endUserId: plan.endUserId },
      send: async (delivery) => {
        const name = `${++sent}. ${stepName(delivery)}`;
        sending(progress, name, stepName(delivery));
        const report = await smokeRun.send({ event: delivery.event, eventId: delivery.eventId, body: delivery.body });
        checks.push(judged(progress, { name, event: delivery.event, eventId: delivery.eventId, report, passed: matchesExpectation(report.final, plan.expect) }));
        if (unanswered.stuckAfter(report.final)) stuck = true;
        return report;
      },
      stopped: () => stuck,
      onNotSent: (delivery) => unsent.push(delivery),
    });
    return { checks, notSent: unsent.map((delivery, i) => `${sent + i + 1}. ${stepName(delivery)}`) };
  }
  for (const [index, name] of plan.names.entries()) {
    const envelope = buildEvent(name);
    if (plan.endUserId !== undefined && "end_user_id" in envelope.payload) envelope.payload.end_user_id = plan.endUserId;
    sending(progress, name);
    const report = await smokeRun.send({ event: name, eventId: envelope.event_id, body: Buffer.from(JSON.stringify(envelope)) });
    checks.push(judged(progress, { name, event: name, eventId: envelope.event_id, report, passed: matchesExpectation(report.final, plan.expect) }));
    if (unanswered.stuckAfter(report.final)) return { checks, notSent: plan.names.slice(index + 1) };
  }
  return { checks, notSent: [] };
}
