import { didYouMeanOneOf } from "../suggest.js";

/**
 * An override of a built event (set, add, unset, outcome, account or end-user id) that cannot land.
 * It carries what went wrong as data and says it in the core's own terms; each adapter names the
 * override the way its user wrote it (the CLI's --set, the library's "set", a scenario step's field,
 * an MCP tool's argument) through describeOverride, never by rewriting the message.
 */
export type OverrideOp = "set" | "add" | "unset" | "outcome" | "accountId" | "endUserId";

export type OverrideReason =
  /** A "path=value" string that is not one (the CLI's form of set/add). */
  | "malformed"
  /** The event has no field at the path (for set/unset: the path given; else the field the override writes). */
  | "no_such_field"
  /** add of a field the event already has. */
  | "already_exists"
  /** add under a parent that is a value, not an object. */
  | "parent_not_object"
  /** outcome on an event that is not a job's. */
  | "not_a_job_event"
  /** A path through __proto__, constructor or prototype: it would write into every object, not the event. */
  | "reserved_key"
  /** A path with no field in it ("", "."): it names nothing to change. */
  | "empty_path"
  /** A value holding a number JSON cannot carry (1e400 parses to Infinity, which would be sent as null). */
  | "not_finite"
  /** event, event_id or payload removed or given another type: the event is built and signed from them. */
  | "envelope_field";

export interface OverrideProblem {
  op: OverrideOp;
  reason: OverrideReason;
  /** The event being built, e.g. "paystubs.added" (none yet for "malformed"). */
  event?: string;
  /** The dotted path the override targets (for "malformed", the text as given). */
  path: string;
  /** Paths the user may have meant (no_such_field). */
  nearest?: readonly string[];
  /** The event's top-level fields, when nothing is near (no_such_field). */
  existing?: readonly string[];
  /** The parent path that is not an object (parent_not_object). */
  parent?: string;
}

/** How an adapter names each override: its flag, option or field. */
export type OverrideTerms = (op: OverrideOp) => string;

/** Overrides the caller names with a path of its own; the others write a fixed field. */
const PATH_OPS: ReadonlySet<OverrideOp> = new Set(["set", "add", "unset"]);

function nearestHint(problem: OverrideProblem): string {
  if (problem.nearest?.length) return didYouMeanOneOf(problem.nearest);
  return `existing fields: ${(problem.existing ?? []).join(", ")}`;
}

/** What is wrong, without saying which override: for an adapter that names the override itself (a scenario step's field). */
export function overrideReason(problem: OverrideProblem, term: OverrideTerms): string {
  const event = problem.event ?? "the event";
  switch (problem.reason) {
    case "malformed":
      return "expected path=value, e.g. payload.params.count=7";
    case "no_such_field":
      if (!PATH_OPS.has(problem.op)) return `${event} has no ${problem.path}`;
      return `${event} has no such field; ${nearestHint(problem)}${problem.op === "set" ? ` (use ${term("add")} for a new field)` : ""}`;
    case "already_exists":
      return `the field already exists; use ${term("set")} to change it`;
    case "parent_not_object":
      return `${problem.parent ?? ""} is not an object`;
    case "not_a_job_event":
      return `${event} is not a job event and carries no outcome`;
    case "reserved_key":
      return `__proto__, constructor and prototype cannot be field names here`;
    case "empty_path":
      return "the path names no field; give a dotted path such as payload.params.count";
    case "not_finite":
      return "the value holds a number that is not a finite JSON number (it would be sent as null)";
    case "envelope_field":
      return "event, event_id and payload are what the event is built and signed from: they must stay, event and event_id as non-empty strings and payload as an object";
  }
}

/** The one sentence for a problem, with each override named in the caller's terms: "--set payload.x: ...". */
export function describeOverride(problem: OverrideProblem, term: OverrideTerms): string {
  const subject = PATH_OPS.has(problem.op) || problem.reason === "malformed" ? `${term(problem.op)} ${problem.path === "" ? '""' : problem.path}` : term(problem.op);
  return `${subject}: ${overrideReason(problem, term)}`;
}

export class OverrideError extends Error implements OverrideProblem {
  readonly op: OverrideOp;
  readonly reason: OverrideReason;
  readonly event?: string;
  readonly path: string;
  readonly nearest?: readonly string[];
  readonly existing?: readonly string[];
  readonly parent?: string;

  constructor(problem: OverrideProblem) {
    super(describeOverride(problem, (op) => op));
    this.name = "OverrideError";
    this.op = problem.op;
    this.reason = problem.reason;
    if (problem.event !== undefined) this.event = problem.event;
    this.path = problem.path;
    if (problem.nearest) this.nearest = problem.nearest;
    if (problem.existing) this.existing = problem.existing;
    if (problem.parent !== undefined) this.parent = problem.parent;
  }
}

export function isOverrideError(error: unknown): error is OverrideError {
  return error instanceof OverrideError;
}
