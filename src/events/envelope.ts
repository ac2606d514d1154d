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
  const fields = [
    { name: "event", ok: isNonEmptyString(json.event), expected: "non-empty string" },
    { name: "event_id", ok: isNonEmptyString(json.event_id), expected: "non-empty string" },
    { name: "payload", ok: isPlainObject(json.payload), expected: "object" },
  ].filter((field) => !field.ok);
  if (fields.length === 0) return null;
  const missing = fields.filter((field) => !(field.name in json)).map((field) => `${field.name} (${field.expected})`);
  const parts = missing.length > 0 ? [`the envelope lacks ${missing.join(", ")}`] : [];
  // One that is there in the wrong shape is named as what it is: "lacks event_id" misleads about {"event_id": 123}.
  for (const field of fields.filter((candidate) => candidate.name in json)) {
    parts.push(`${parts.length > 0 ? "its" : "the envelope's"} ${field.name} is ${shapeOf(json[field.name])}, not ${field.expected === "object" ? "an" : "a"} ${field.expected}`);
  }
  return parts.join("; ");
}

function isNonEmptyString(value: unknown): boolean {
  return typeof value === "string" && value.length > 0;
}

function shapeOf(value: unknown): string {
  if (value === null) return "null";
  if (value === "") return "an empty string";
  const kind = Array.isArray(value) ? "array" : typeof value;
  return `${/^[aeiou]/.test(kind) ? "an" : "a"} ${kind}`;
}
