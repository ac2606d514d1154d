import { existsSync, readdirSync, readFileSync } from "node:fs";
import { basename, join } from "node:path";
import { fileURLToPath } from "node:url";
import { z } from "zod";
import { defined } from "../invariant.js";
import { didYouMeanOneOf, suggest } from "../suggest.js";
import { EVENT_NAMES, isEventName } from "./catalog.js";
import { ScenarioError, type ScenarioErrorData, type ScenarioStepRef } from "./scenario-error.js";

/** Built-in scenarios are data files beside the event fixtures; users write their own in the same format. */
export const SCENARIOS_DIR: string = fileURLToPath(new URL("../../fixtures/scenarios/", import.meta.url));

/** Date placeholders in set/add values: {{today}}, or {{today-30d}} for 30 days ago. */
export const DATE_PLACEHOLDER = /\{\{today(?:-(\d+)d)?\}\}/g;
const ONE_DATE_PLACEHOLDER = new RegExp(`^${DATE_PLACEHOLDER.source}$`);

/** Every {{...}} in a value that is not a date placeholder: sent literally, it would be a silent typo. */
function unknownPlaceholders(value: unknown): string[] {
  if (typeof value === "string") return (value.match(/\{\{[^}]*\}\}/g) ?? []).filter((found) => !ONE_DATE_PLACEHOLDER.test(found));
  if (Array.isArray(value)) return value.flatMap(unknownPlaceholders);
  if (typeof value === "object" && value !== null) return Object.values(value).flatMap(unknownPlaceholders);
  return [];
}

const label = z.string().min(1);
const overrides = {
  /** Fields the fixture has, by dotted path; strings may use {{today}} or {{today-30d}} for dates. */
  set: z.record(z.string(), z.unknown()).optional(),
  add: z.record(z.string(), z.unknown()).optional(),
  unset: z.array(z.string()).optional(),
  outcome: z.enum(["success", "error", "pending"]).optional(),
};
const timing = {
  label: label.optional(),
  note: z.string().optional(),
  /** Wait before this step, in ms at --speed 1. */
  delay_ms: z.number().int().nonnegative().optional(),
  /** Send this many extra copies (same event_id, same body) right after it. */
  duplicate: z.number().int().nonnegative().optional(),
  /** Do not wait for this delivery's answer before starting the next step. */
  concurrent: z.boolean().optional(),
};

const eventStep = z.strictObject({
  ...timing,
  event: z.string(),
  ...overrides,
  /** Reuse another step's job (payload.id): a pending job and its result are the same job. */
  same_job_as: label.optional(),
  /** Build the event here but deliver it right after the step with this label: out-of-order delivery. */
  deliver_after: label.optional(),
});

const resendStep = z.strictObject({
  ...timing,
  /** Deliver an earlier step's event again, byte for byte: an at-least-once duplicate arriving late. */
  resend: label,
});

const stepSchema = z.union([eventStep, resendStep]);

export const scenarioSchema = z.strictObject({
  name: z.string().min(1),
  description: z.string().default(""),
  source: z.string().optional(),
  steps: z.array(stepSchema).min(1),
});

export type Scenario = z.infer<typeof scenarioSchema>;
export type ScenarioStep = Scenario["steps"][number];
export type EventStep = z.infer<typeof eventStep>;

/** The branch a step means, so its errors name its own fields rather than "matched no branch". */
function schemaForStep(step: unknown): z.ZodType {
  if (typeof step !== "object" || step === null) return stepSchema;
  if ("resend" in step) return resendStep;
  if ("event" in step) return eventStep;
  return stepSchema;
}

export function isResendStep(step: ScenarioStep): step is z.infer<typeof resendStep> {
  return "resend" in step;
}

/**
 * A built-in scenario by name only: for callers that are not the user at a shell (an MCP
 * client), for whom reading a path would open any file on the machine and echo parts of it back.
 */
export function loadBuiltInScenario(name: string): Scenario {
  if (!builtInScenarioNames().includes(name)) throw notBuiltIn(name);
  return loadScenario(name);
}

function notBuiltIn(name: string): ScenarioError {
  const nearest = suggest(name, builtInScenarioNames());
  const reason = didYouMeanOneOf(nearest) || `built-in scenarios: ${builtInScenarioNames().join(", ")}`;
  return new ScenarioError({ kind: "not_found", scenario: name, reason, nearest });
}

export function builtInScenarioNames(): string[] {
  return readdirSync(SCENARIOS_DIR)
    .filter((file) => file.endsWith(".json"))
    .map((file) => basename(file, ".json"))
    .sort();
}

/** The step as its author finds it in the file: its number and what it sends. */
export function stepRef(scenario: { steps?: unknown[] }, index: number): ScenarioStepRef {
  const step = scenario.steps?.[index] as { event?: unknown; resend?: unknown } | undefined;
  const sends = typeof step?.event === "string" ? step.event : typeof step?.resend === "string" ? `resend ${step.resend}` : undefined;
  return sends === undefined ? { number: index + 1 } : { number: index + 1, sends };
}

type Where = Omit<ScenarioErrorData, "kind" | "scenario">;

function describeIssue(raw: unknown, issue: z.core.$ZodIssue): Where {
  const [first, index, ...rest] = issue.path;
  if (first === "steps" && typeof index === "number") {
    const step = stepRef(raw as { steps?: unknown[] }, index);
    if (issue.code === "unrecognized_keys") return { step, reason: `unknown field(s) ${issue.keys.map((k) => `"${k}"`).join(", ")}` };
    if (issue.code === "invalid_union") return { step, reason: `a step needs "event" (a Pinwheel event) or "resend" (a label)` };
    return rest.length ? { step, field: rest.join("."), reason: issue.message } : { step, reason: `the step: ${issue.message}` };
  }
  return issue.path.length ? { field: issue.path.join("."), reason: issue.message } : { reason: `the file: ${issue.message}` };
}

function invalid(scenario: string, where: Where): ScenarioError {
  return new ScenarioError({ kind: "invalid", scenario, ...where });
}

/** Validates a parsed scenario; the first problem is a ScenarioError naming its step and field. */
export function parseScenario(raw: unknown, origin: string): Scenario {
  const steps = (raw as { steps?: unknown })?.steps;
  if (Array.isArray(steps)) {
    steps.forEach((step, index) => {
      const result = schemaForStep(step).safeParse(step);
      if (!result.success) {
        const issue = defined(result.error.issues[0], "the schema's first issue");
        throw invalid(origin, describeIssue(raw, { ...issue, path: ["steps", index, ...issue.path] }));
      }
    });
  }
  const result = scenarioSchema.safeParse(raw);
  if (!result.success) throw invalid(origin, describeIssue(raw, defined(result.error.issues[0], "the schema's first issue")));
  const scenario = result.data;
  const labels = new Map<string, number>();
  scenario.steps.forEach((step, index) => {
    const at = stepRef(scenario, index);
    if (!isResendStep(step) && !isEventName(step.event)) {
      const nearest = suggest(step.event, EVENT_NAMES);
      const hint = didYouMeanOneOf(nearest) || "see pinwheel-cli fixtures list";
      throw invalid(origin, { step: at, reason: `unknown event "${step.event}"; ${hint}`, nearest });
    }
    if (!isResendStep(step)) {
      for (const field of ["set", "add"] as const) {
        for (const [path, value] of Object.entries(step[field] ?? {})) {
          const [unknown] = unknownPlaceholders(value);
          if (unknown) throw invalid(origin, { step: at, field: `${field}.${path}`, reason: `unknown placeholder "${unknown}"; use {{today}} or {{today-30d}}` });
        }
      }
    }
    const reference = isResendStep(step) ? step.resend : step.same_job_as;
    if (reference !== undefined && !labels.has(reference)) {
      throw invalid(origin, { step: at, reason: `no earlier step is labelled "${reference}"` });
    }
    if (step.label !== undefined) {
      if (labels.has(step.label)) throw invalid(origin, { step: at, reason: `label "${step.label}" is used twice` });
      labels.set(step.label, index);
    }
  });
  scenario.steps.forEach((step, index) => {
    if (!isResendStep(step) && step.deliver_after !== undefined && !labels.has(step.deliver_after)) {
      throw invalid(origin, { step: stepRef(scenario, index), field: "deliver_after", reason: `no step is labelled "${step.deliver_after}"` });
    }
  });
  // A step waiting (through deliver_after) on itself would never be sent: refuse it rather than drop it.
  scenario.steps.forEach((step, index) => {
    const seen = new Set<number>([index]);
    let current: ScenarioStep = step;
    while (!isResendStep(current) && current.deliver_after !== undefined) {
      const next = defined(labels.get(current.deliver_after), `step label ${current.deliver_after}`);
      if (seen.has(next)) {
        throw invalid(origin, {
          step: stepRef(scenario, index),
          field: "deliver_after",
          reason: `it waits, through "${current.deliver_after}", on this step itself, so it would never be sent`,
        });
      }
      seen.add(next);
      current = defined(scenario.steps[next], `scenario step ${next + 1}`);
    }
  });
  return scenario;
}

/** A built-in name, or a path to the user's own JSON file. */
export function loadScenario(nameOrFile: string): Scenario {
  const builtIn = join(SCENARIOS_DIR, `${nameOrFile}.json`);
  const isFile = /[\\/]|\.json$/.test(nameOrFile);
  if (!isFile && !existsSync(builtIn)) throw notBuiltIn(nameOrFile);
  const path = isFile ? nameOrFile : builtIn;
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch (error) {
    // A file that cannot be opened is failed work (exit 1); one that is not a scenario is a usage mistake.
    const code = (error as NodeJS.ErrnoException).code;
    const reason = code === "ENOENT" ? "no such file" : `cannot read it (${(error as Error).message})`;
    throw new ScenarioError({ kind: "unreadable", scenario: nameOrFile, reason }, { cause: error });
  }
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (error) {
    throw new ScenarioError({ kind: "not_json", scenario: nameOrFile, reason: `not valid JSON (${(error as Error).message})` });
  }
  return parseScenario(raw, path === builtIn ? nameOrFile : path);
}
