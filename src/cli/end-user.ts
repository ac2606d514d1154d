import { resolveSetting } from "../config.js";

/**
 * The end_user_id scenarios and smoke send: --end-user-id, then `config set end-user-id`. Without
 * one, the events carry an end user the app cannot know, and a handler that answers 2xx to an
 * unknown end user before it verifies anything would pass the run untested.
 */
export interface EndUser {
  id: string | undefined;
  source: "flag" | "config" | undefined;
}

export function endUserFor(flag: string | undefined): EndUser {
  const setting = resolveSetting("end-user-id", flag);
  return setting ? { id: setting.value, source: setting.source === "flag" ? "flag" : "config" } : { id: undefined, source: undefined };
}

/** One line for the run's summary when every delivery got 2xx though none named a user the app knows. */
export function unrecognisedEndUserNotice(endUser: EndUser, sent: number, answered2xx: number): string | undefined {
  if (endUser.id !== undefined || sent === 0 || answered2xx < sent) return undefined;
  return (
    `your handler answered 2xx to ${sent === 1 ? "the delivery" : `all ${sent} deliveries`}, though ${sent === 1 ? "its" : "their"} end_user_id is one pinwheel-cli made up and your app cannot recognise; ` +
    `a handler that acknowledges unknown end users before verifying the signature passes this run without testing verification. ` +
    `Pass --end-user-id <a test user your app knows> (or: pinwheel-cli config set end-user-id <id>)`
  );
}
