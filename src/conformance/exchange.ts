import type { AttemptResult } from "../delivery/sender.js";
import { answerInWords } from "../delivery/answer-words.js";
import { isSuccess } from "../delivery/deliver.js";

/** One request the suite sent and what came back: the report card's "sent" and "answer". */
export interface Exchange {
  /** What this request is, e.g. "forged signature, unknown end user". */
  label: string;
  event: string;
  eventId: string;
  sent: { method: "POST"; url: string; headers: Record<string, string>; body: string };
  answer: Pick<AttemptResult, "statusCode" | "durationMs" | "error" | "errorKind" | "responseBody">;
}

export function answered(exchange: Exchange): boolean {
  return exchange.answer.statusCode !== undefined;
}

/** The handler took the request: a 2xx status, whatever became of the rest of its answer. */
export function accepted(exchange: Exchange): boolean {
  return isSuccess(exchange.answer.statusCode);
}

/** A status came, then the answer broke off or timed out: Pinwheel counts the attempt as failed and sends it again. */
export function cutOff(exchange: Exchange): boolean {
  return exchange.answer.statusCode !== undefined && exchange.answer.errorKind !== undefined;
}

/**
 * Why a refused answer loses the event, where it does: Pinwheel retries only a 5XX or a network
 * error, so a 4XX or a redirect (3XX) is never tried again. Undefined for a 5XX or no answer.
 */
export function notRetried(exchanges: readonly Exchange[]): "a 4XX" | "a redirect" | undefined {
  const classes = exchanges.map((exchange) => Math.floor((exchange.answer.statusCode ?? 0) / 100));
  if (classes.includes(4)) return "a 4XX";
  if (classes.includes(3)) return "a redirect";
  return undefined;
}

/** Why Pinwheel would not send the event again after such an answer, in words. */
export function notRetriedWhy(lost: "a 4XX" | "a redirect"): string {
  return lost === "a 4XX"
    ? "Pinwheel never retries a 4XX"
    : "a redirect: Pinwheel is not documented to follow one, and retries only a 5XX or a network error";
}

/** "200", "401", "no answer within 30000 ms", "200, then other side closed": what came back, in a word or two. */
export function answerText(exchange: Exchange): string {
  return answerInWords(exchange.answer);
}

/** "200 ×20", "200, 409", "401": the answers of a check, shortest first. */
export function summarizeAnswers(exchanges: readonly Exchange[]): string {
  const texts = exchanges.map(answerText);
  const [first] = texts;
  if (first === undefined) return "-";
  if (texts.every((text) => text === first)) return texts.length === 1 ? first : `${first} ×${texts.length}`;
  if (texts.length <= 4) return texts.join(", ");
  const counts = new Map<string, number>();
  for (const text of texts) counts.set(text, (counts.get(text) ?? 0) + 1);
  return [...counts].map(([text, count]) => `${text} ×${count}`).join(", ");
}
