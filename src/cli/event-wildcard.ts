import { usageError } from "../errors.js";

/**
 * `--events '*'`, the Stripe CLI's default: every event. listen takes it as --events left out;
 * Pinwheel's webhooks API has no wildcard (enabled_events names each event), so webhooks
 * create and update refuse it, saying so.
 */
const WILDCARD = "*";

/** True for `--events '*'` (every event); a usage error for `*` beside other names. */
export function everyEvent(events: readonly string[] | undefined): boolean {
  if (!events?.includes(WILDCARD)) return false;
  if (events.some((name) => name !== WILDCARD)) throw usageError(`--events: "${WILDCARD}" already means every event; drop the other names, or the "${WILDCARD}"`);
  return true;
}

/** webhooks create/update: a usage error for `*` among the events, before anything is sent. */
export function refuseWildcardEvents(events: readonly string[] | undefined, orElse = ""): void {
  if (!events?.includes(WILDCARD)) return;
  throw usageError(
    `--events: Pinwheel's API has no wildcard ("${WILDCARD}"); list the events, e.g. --events income.added,paystubs.added ("pinwheel-cli fixtures list" shows them all)${orElse}`,
  );
}
