/**
 * listen's answer to a request it stored with 200, as answerAccepted (receiver/server.ts) writes
 * it: {"received":true,"id":<row id>,"event_id":<string or null>,"duplicate":<boolean>}. These
 * four members and nothing else: a sender that gets this answer was talking to pinwheel-cli's own
 * listen, which accepts any end user (it looks none up). Under --forward-status listen answers
 * with the app's status and another body, which this is not.
 */
export function isListenAnswer(text: string | undefined): boolean {
  // Most answers are not listen's: the prefix spares them the parse.
  if (text === undefined || !text.startsWith('{"received":true,"id":')) return false;
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    return false;
  }
  if (typeof body !== "object" || body === null || Array.isArray(body)) return false;
  const { received, id, event_id: eventId, duplicate, ...rest } = body as Record<string, unknown>;
  return (
    received === true &&
    Number.isSafeInteger(id) &&
    (typeof eventId === "string" || eventId === null) &&
    typeof duplicate === "boolean" &&
    Object.keys(rest).length === 0
  );
}
