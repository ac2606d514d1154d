import type { AttemptResult } from "./sender.js";

/**
 * Whether the attempt's answer is one expected (entries such as "2xx" or "204"): its status, and
 * the answer whole (one cut off after its status is a failed attempt to Pinwheel).
 */
export function matchesExpectation({ statusCode, errorKind }: Pick<AttemptResult, "statusCode" | "errorKind">, expected: readonly string[]): boolean {
  if (statusCode === undefined || errorKind !== undefined) return false;
  const code = String(statusCode);
  return expected.some((entry) => (entry.endsWith("xx") ? code[0] === entry[0] : code === entry));
}
