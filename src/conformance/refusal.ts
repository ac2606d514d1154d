import { randomBytes } from "node:crypto";
import type { EventName } from "../events/catalog.js";
import { accepted, answered, answerText, type Exchange } from "./exchange.js";
import { build, checkEvent, fail, noAnswer, pass, warn, type ProbeContext, type ProbeOutcome } from "./probe-context.js";
import { genuine, type ProbeRequest } from "./requests.js";

/** The event every forgery is built from: a job event that carries payload.end_user_id. */
const REFUSAL_EVENT: EventName = "income.added";

export interface Forgery {
  /** What the forgery is, for messages: "a made-up signature (...)". */
  hole: string;
  make(genuineRequest: ProbeRequest, label: string): ProbeRequest;
}

const LOOKUP_FIX = "verify the signature and timestamp first, before looking anything up; an unverified request must not learn or change anything";

/**
 * Each forgery must be refused. It is sent for an end user the app cannot know and, with
 * --end-user-id, for one it does: a handler that looks the end user up before verifying answers
 * 2xx to the first ("unknown, ignore") and only verifies the second.
 */
export async function mustRefuse(ctx: ProbeContext, list: readonly Forgery[]): Promise<ProbeOutcome> {
  const refusals: string[] = [];
  const failures: ProbeOutcome[] = [];
  // Every forgery is sent even after one got through: the report shows all of them.
  for (const forgery of list) {
    const outcome = await refuseOne(ctx, forgery);
    if (typeof outcome === "string") refusals.push(outcome);
    else failures.push(outcome);
  }
  const [failure] = failures;
  if (failure) return failure;
  // A handler that refuses everything refuses forgeries too, whether it verifies or not.
  if (ctx.memory.acceptedNoGenuine) {
    return warn(`refused (${refusals.join("; ")}), but so was every genuine event: this shows nothing about its verification until genuine-events passes`, []);
  }
  return pass(`refused (${refusals.join("; ")})`);
}

async function refuseOne(ctx: ProbeContext, forgery: Forgery): Promise<ProbeOutcome | string> {
  const stranger = `unknown_user_${randomBytes(4).toString("hex")}`;
  const event = checkEvent(ctx, REFUSAL_EVENT);
  const unknown = await ctx.send(forgery.make(genuine(ctx.signer, build(ctx, event, stranger), ""), `${forgery.hole}, unknown end user`));
  let known: Exchange | undefined;
  if (ctx.endUserId !== undefined) {
    known = await ctx.send(forgery.make(genuine(ctx.signer, build(ctx, event), ""), `${forgery.hole}, --end-user-id ${ctx.endUserId}`));
  }
  if (!answered(unknown)) return noAnswer(unknown);
  if (known && !answered(known)) return noAnswer(known);
  const [a, b] = [answerText(unknown), known && answerText(known)];
  if (accepted(unknown) && known && !accepted(known)) {
    return fail(`answered ${a} to ${forgery.hole} for an unknown end user but ${b} for --end-user-id ${ctx.endUserId}: it verifies only after a lookup`, [unknown, known], LOOKUP_FIX);
  }
  if (accepted(unknown) && known) return fail(`answered ${a} to ${forgery.hole}, for an unknown end user and for --end-user-id ${ctx.endUserId}`, [unknown, known]);
  if (accepted(unknown)) {
    return fail(`answered ${a} to ${forgery.hole} (if it refuses this for an end user it knows, it verifies only after a lookup; pass --end-user-id to tell)`, [unknown]);
  }
  if (known && accepted(known)) {
    return fail(
      `answered ${b} to ${forgery.hole} for --end-user-id ${ctx.endUserId} (${a} for an unknown end user): it refuses unknown end users before verifying, and accepts the known ones unverified`,
      [known],
      LOOKUP_FIX,
    );
  }
  return b ? `${a}, ${b} for --end-user-id` : a;
}
