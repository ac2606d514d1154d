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

/**
 * One line for the run's summary when every delivery got 2xx though none named a user the app
 * knows. Deliveries pinwheel-cli's own listen answered (isListenAnswer) do not count: listen
 * accepts any end user, so its 2xx says nothing about a handler's.
 */
export function unrecognisedEndUserNotice(endUser: EndUser, sent: number, answered2xx: number, answeredByListen = 0): string | undefined {
  const toApp = sent - answeredByListen;
  if (endUser.id !== undefined || toApp <= 0 || answered2xx - answeredByListen < toApp) return undefined;
  return (
    `your handler answered 2xx to ${toApp === 1 ? "the delivery" : `all ${toApp} deliveries`}, though ${toApp === 1 ? "its" : "their"} end_user_id is one pinwheel-cli made up and your app cannot recognise; ` +
    `a handler that acknowledges unknown end users before verifying the signature passes this run without testing verification. ` +
    `Pass --end-user-id <a test user your app knows> (or: pinwheel-cli config set end-user-id <id>)`
  );
}
