import type { AttemptResult } from "./sender.js";

/**
 * Attempts in a row with no answer at all (timed out before any status) after which smoke, the
 * conformance suite, simulate --count and replay stop sending: the app is stuck, and each request
 * left would wait out its whole timeout (the catalog at 15 s is over eight minutes of a CI job).
 */
export const UNANSWERED_IN_A_ROW_TO_STOP = 3;

/** Counts attempts in a row that got no answer at all; any answer, or any other failure, starts it again. */
export class UnansweredStreak {
  private count = 0;

  /** Adds an attempt; true once UNANSWERED_IN_A_ROW_TO_STOP in a row went unanswered. */
  stuckAfter({ statusCode, errorKind }: Pick<AttemptResult, "statusCode" | "errorKind">): boolean {
    this.count = statusCode === undefined && errorKind === "timeout" ? this.count + 1 : 0;
    return this.count === UNANSWERED_IN_A_ROW_TO_STOP;
  }
}

/** Why a run sent no more, after its count of failures: "2 were not sent: 3 in a row got no answer within 200 ms (is the app stuck?)". */
export function notSentAfterUnanswered(notSent: number, timeoutMs: number): string {
  return `${notSent} ${notSent === 1 ? "was" : "were"} not sent: ${UNANSWERED_IN_A_ROW_TO_STOP} in a row got no answer within ${timeoutMs} ms (is the app stuck?)`;
}
