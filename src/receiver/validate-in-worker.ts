import { jsonText } from "../events/json-text.js";
import { validateWebhookEvent } from "../events/schemas.js";
import { BODY_PARAM, SCHEMA_ERRORS_FROM_BODY, SCHEMA_ERRORS_PARAM, type SchemaIssueRow } from "../store/requests.js";

/**
 * Runs in the receiver's commit worker (the WorkerCommitter's completer), not on the main thread:
 * validating a payload is the largest cost listen has that a bare receiver does not, and it never
 * changes the answer (problems are recorded, never refused). The main thread has parsed and checked
 * the envelope already and marked the row; this parses the same bytes again, validates them as
 * classifyRequest does with validateWebhookEvent, and puts the issues into the same INSERT.
 * Returns the issues for the row the main thread keeps, or undefined for a row it left alone.
 */
export function completeParams(params: unknown[]): SchemaIssueRow[] | null | undefined {
  if (params[SCHEMA_ERRORS_PARAM] !== SCHEMA_ERRORS_FROM_BODY) return undefined;
  const body = params[BODY_PARAM] as Buffer;
  let issues: SchemaIssueRow[] | null;
  try {
    const validation = validateWebhookEvent(JSON.parse(jsonText(body)));
    issues = validation.ok ? null : validation.issues;
  } catch (error) {
    // A throw here would fail the whole batch, other requests' rows with it: record it on this row instead.
    issues = [{ path: "", message: `could not be validated: ${error instanceof Error ? error.message : String(error)}` }];
  }
  params[SCHEMA_ERRORS_PARAM] = issues === null ? null : JSON.stringify(issues);
  return issues;
}
