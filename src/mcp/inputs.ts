import { EVENT_NAMES, isEventName, type EventName } from "../events/catalog.js";
import { usageError } from "../errors.js";
import type { RequestStore } from "../store/requests.js";
import { didYouMean } from "../suggest.js";

/** A catalog event an argument names; a typo is a tool error that names the nearest event, or list_event_types. */
export function eventNameOrToolError(name: string): EventName {
  if (isEventName(name)) return name;
  throw usageError(`unknown event "${name}"; ${didYouMean(name, EVENT_NAMES) || "list_event_types lists every event"}`);
}

/** list_requests' event filter: a catalog event, or one some stored request carries (an unknown or forged event is stored under its own name). */
export function eventFilterOrToolError(name: string | undefined, store: Pick<RequestStore, "count">): string | undefined {
  if (name === undefined || isEventName(name) || store.count({ event: name }) > 0) return name;
  return eventNameOrToolError(name);
}
