import type { ScenarioResult } from "../delivery/scenario-player.js";
import { isResendStep, type Scenario } from "../events/scenario.js";
import type { Output } from "./index.js";

/** How a scenario looks: its steps (scenarios show), and what arrived in which order (simulate --scenario). */

export function scenarioResultJson(result: ScenarioResult): Record<string, unknown> {
  return {
    step: result.step,
    label: result.label ?? null,
    kind: result.kind,
    out_of_order: result.outOfOrder,
    event: result.event,
    event_id: result.eventId,
    ok: result.report.ok,
    status_code: result.report.final.statusCode ?? null,
    attempts: result.report.attempts.length,
    error: result.report.final.error ?? null,
  };
}

/** The report of what arrived in which order. */
export function printScenarioReport(out: Output, scenario: Scenario, results: readonly ScenarioResult[]): void {
  if (out.json) {
    out.ndjson({ type: "scenario", name: scenario.name, deliveries: results.map(scenarioResultJson) });
    return;
  }
  const { c } = out;
  out.line("");
  out.table(
    ["#", "STEP", "EVENT", "DELIVERY", "STATUS", "EVENT ID"],
    results.map((result, index) => [
      String(index + 1),
      String(result.step),
      result.event,
      result.kind === "event" ? (result.outOfOrder ? c.yellow("out of order") : "first") : c.yellow(result.kind),
      scenarioStatus(out, result),
      result.eventId,
    ]),
  );
}

function scenarioStatus({ c }: Output, { report }: ScenarioResult): string {
  // A fanned-out delivery no webhook was subscribed to was not sent: not a failure of the app.
  if (report.attempts.length === 0) return c.dim(report.final.error ?? "not sent");
  return report.ok ? c.green(String(report.final.statusCode)) : c.red(String(report.final.statusCode ?? report.final.error));
}

/** scenarios show: the scenario's name and description, where it comes from, then its steps. */
export function printScenario(out: Output, scenario: Scenario): void {
  out.line(`${out.c.bold(scenario.name)}: ${scenario.description}`);
  if (scenario.source) out.line(out.c.dim(`Follows ${scenario.source}`));
  out.line("");
  for (const line of describeScenario(scenario)) out.line(line);
}

export function describeScenario(scenario: Scenario): string[] {
  return scenario.steps.map((step, index) => {
    const what = isResendStep(step) ? `resend "${step.resend}"` : step.event;
    const extras = [
      step.delay_ms ? `after ${step.delay_ms} ms` : "",
      !isResendStep(step) && step.outcome ? `outcome ${step.outcome}` : "",
      step.duplicate ? `+${step.duplicate} duplicate` : "",
      !isResendStep(step) && step.deliver_after ? `delivered after "${step.deliver_after}"` : "",
      !isResendStep(step) && step.same_job_as ? `same job as "${step.same_job_as}"` : "",
      step.concurrent ? "concurrent with the next" : "",
    ].filter(Boolean);
    return `${String(index + 1).padStart(2)}. ${what}${step.label ? ` [${step.label}]` : ""}${extras.length ? `  (${extras.join(", ")})` : ""}${step.note ? ` — ${step.note}` : ""}`;
  });
}
