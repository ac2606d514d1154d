import { OutcomeConflictError } from "./errors.js";
import type { ConnectOptions } from "./sandbox.js";

/** The jobs that fail and those that report pending before their result, as a connect request's outcomes (none: every job succeeds). */
export function jobOutcomes({ fail = [], pending = [] }: { fail?: readonly string[]; pending?: readonly string[] }): ConnectOptions["outcomes"] {
  const both = fail.find((job) => pending.includes(job));
  if (both !== undefined) throw new OutcomeConflictError(both);
  const entries = [...fail.map((job) => [job, "error"] as const), ...pending.map((job) => [job, "pending"] as const)];
  return entries.length ? Object.fromEntries(entries) : undefined;
}
