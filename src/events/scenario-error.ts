/**
 * A scenario that cannot be played: not found, unreadable, or wrong somewhere in its steps. It
 * carries where (scenario, step, field) and why as data, in the terms of the scenario file itself,
 * which are also the terms its author reads; no adapter has to reword it.
 */
export type ScenarioProblem =
  /** No built-in scenario by that name (nearest holds the names it may have meant). */
  | "not_found"
  /** The file could not be read (missing, a directory, no permission): failed work, not a usage mistake. */
  | "unreadable"
  /** The file is not JSON. */
  | "not_json"
  /** A step or field breaks the scenario format, or an override cannot land on its event. */
  | "invalid";

export interface ScenarioStepRef {
  /** 1-based, as a person counts the steps in the file. */
  number: number;
  /** What the step sends: its event name, or "resend <label>". */
  sends?: string;
}

export interface ScenarioErrorData {
  kind: ScenarioProblem;
  /** The scenario's name, or the path of the user's file. */
  scenario: string;
  step?: ScenarioStepRef;
  /** The step's (or the file's) field, dotted: "deliver_after", "set.payload.params.count". */
  field?: string;
  /** What is wrong, one clause: "no step is labelled \"ghost\"". */
  reason: string;
  /** Names the author may have meant (an unknown event or scenario). */
  nearest?: readonly string[];
}

export function stepName(step: ScenarioStepRef): string {
  return `step ${step.number}${step.sends ? ` (${step.sends})` : ""}`;
}

function describe(data: ScenarioErrorData): string {
  if (data.kind === "not_found") return `no scenario "${data.scenario}"; ${data.reason}`;
  if (data.kind === "unreadable") return `scenario file ${data.scenario}: ${data.reason}`;
  const where = [`scenario ${data.scenario}`, ...(data.step ? [stepName(data.step)] : []), ...(data.field !== undefined ? [`field "${data.field}"`] : [])];
  return `${where.join(": ")}: ${data.reason}`;
}

export class ScenarioError extends Error implements ScenarioErrorData {
  readonly kind: ScenarioProblem;
  readonly scenario: string;
  readonly step?: ScenarioStepRef;
  readonly field?: string;
  readonly reason: string;
  readonly nearest?: readonly string[];

  constructor(data: ScenarioErrorData, options?: { cause?: unknown }) {
    super(describe(data), options);
    this.name = "ScenarioError";
    this.kind = data.kind;
    this.scenario = data.scenario;
    this.reason = data.reason;
    if (data.step) this.step = data.step;
    if (data.field !== undefined) this.field = data.field;
    if (data.nearest) this.nearest = data.nearest;
  }
}

export function isScenarioError(error: unknown): error is ScenarioError {
  return error instanceof ScenarioError;
}
