// The one rule for "is this a Pinwheel delivery at all", shared by the receiver and the library
// so that `listen` and parseWebhookEvent refuse exactly the same bodies. Plain code, no zod:
// the receiver loads it on every request.

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/**
 * Why a parsed JSON body is not a Pinwheel envelope `{event, event_id, payload}`, or null when it
 * is one. Only the envelope is checked: what is inside `payload` is the schemas' business and is
 * never a reason to refuse a signed delivery.
 */
export function envelopeProblem(json: unknown): string | null {
  if (!isPlainObject(json)) return "the body is not a JSON object {event, event_id, payload}";
  const missing = [
    typeof json.event !== "string" || json.event.length === 0 ? "event (non-empty string)" : null,
    typeof json.event_id !== "string" || json.event_id.length === 0 ? "event_id (non-empty string)" : null,
    !isPlainObject(json.payload) ? "payload (object)" : null,
  ].filter((x): x is string => x !== null);
  return missing.length > 0 ? `the envelope lacks ${missing.join(", ")}` : null;
}
