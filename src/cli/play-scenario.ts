import type { DeliveryReport } from "../delivery/deliver.js";
import { playScenario, type ScenarioDelivery, type ScenarioResult, type ThreadedIds } from "../delivery/scenario-player.js";
import type { AccountData } from "../sandbox/account-events.js";
import type { Scenario } from "../events/scenario.js";
import type { DeliveryRun } from "./delivery-run.js";

export function plannedDeliveries(scenario: Scenario): number {
  return scenario.steps.reduce((sum, step) => sum + 1 + (step.duplicate ?? 0), 0);
}

/** Plays a scenario through a delivery run, so its attempts are recorded and shown like any other. */
export function playThroughRun(
  run: DeliveryRun,
  scenario: Scenario,
  options: {
    speed: number;
    ids: Partial<ThreadedIds>;
    accountData?: AccountData;
    apiVersion?: string;
    send?: (delivery: ScenarioDelivery) => Promise<DeliveryReport>;
    stopped?: () => boolean;
    onNotSent?: (delivery: ScenarioDelivery) => void;
  },
): Promise<ScenarioResult[]> {
  return playScenario(scenario, {
    speed: options.speed,
    ids: options.ids,
    accountData: options.accountData,
    apiVersion: options.apiVersion,
    send: options.send ?? ((delivery) => run.send({ event: delivery.event, eventId: delivery.eventId, body: delivery.body })),
    stopped: options.stopped,
    onNotSent: options.onNotSent,
  });
}
