import { envelopeProblem } from "../events/envelope.js";
import { jsonText } from "../events/json-text.js";
import type { StoredRequest } from "../store/requests.js";

/**
 * Why a stored request's payload was never checked against its event's schema, or null when it
 * was. The receiver validates a payload only inside an envelope it can read ({event, event_id,
 * payload}), whatever the signature's verdict: no schema issues means valid only then.
 */
export function whySchemaUnchecked(request: Pick<StoredRequest, "body" | "bodyTruncated" | "rejection">): string | null {
  if (request.bodyTruncated) return "the body was stored truncated";
  try {
    const problem = envelopeProblem(JSON.parse(jsonText(request.body)));
    // A 400's rejection already says what is wrong with the envelope.
    return problem === null ? null : request.rejection ? "the envelope was refused" : problem;
  } catch {
    return "the body is not JSON";
  }
}
