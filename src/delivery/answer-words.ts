import type { AttemptResult } from "./sender.js";

/**
 * An attempt's answer in a word or two, for every report that shows one: "200", "no answer within
 * 300 ms", or "200, then UND_ERR_SOCKET: other side closed" for an answer cut off after its status
 * (which Pinwheel counts as a failed attempt, so the status alone would mislead).
 */
export function answerInWords({ statusCode, error, errorKind }: Pick<AttemptResult, "statusCode" | "error" | "errorKind">): string {
  if (statusCode === undefined) return error ?? "no answer";
  return errorKind === undefined ? String(statusCode) : `${statusCode}, then ${error ?? "no more of the answer"}`;
}
