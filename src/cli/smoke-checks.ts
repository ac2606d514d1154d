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
  if (plan.scenario) {
    // As for events: three deliveries in a row without an answer, and the rest of the scenario is not sent.
    let stuck = false;
    const unsent: ScenarioDelivery[] = [];
    const results = await playThroughRun(smokeRun, plan.scenario, {
      speed: plan.speed ?? 100,
      ids: { endUserId: plan.endUserId },
      send: async (delivery) => {
        const report = await smokeRun.send({ event: delivery.event, eventId: delivery.eventId, body: delivery.body });
        if (unanswered.stuckAfter(report.final)) stuck = true;
        return report;
      },
      stopped: () => stuck,
      onNotSent: (delivery) => unsent.push(delivery),
    });
    const checkName = (r: ScenarioDelivery, i: number) => `${i + 1}. step ${r.step} ${r.event}${r.kind === "event" ? "" : ` (${r.kind})`}`;
    results.forEach((r, i) =>
      checks.push({ name: checkName(r, i), event: r.event, eventId: r.eventId, report: r.report, passed: matchesExpectation(r.report.final, plan.expect) }),
    );
    return { checks, notSent: unsent.map((r, i) => checkName(r, results.length + i)) };
  }
  for (const [index, name] of plan.names.entries()) {
    const envelope = buildEvent(name);
    if (plan.endUserId !== undefined && "end_user_id" in envelope.payload) envelope.payload.end_user_id = plan.endUserId;
    const report = await smokeRun.send({ event: name, eventId: envelope.event_id, body: Buffer.from(JSON.stringify(envelope)) });
    checks.push({ name, event: name, eventId: envelope.event_id, report, passed: matchesExpectation(report.final, plan.expect) });
    if (unanswered.stuckAfter(report.final)) return { checks, notSent: plan.names.slice(index + 1) };
  }
  return { checks, notSent: [] };
}
