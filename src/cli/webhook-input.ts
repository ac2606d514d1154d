import type { ApiFieldError } from "../api/types.js";
import { CATALOG, FAMILY_LABELS } from "../events/catalog.js";
import { usageError } from "../errors.js";
import type { EventChoiceGroup } from "../output/prompts.js";
import { isLoopbackHost, withLoopbackScheme } from "../loopback.js";
import { isUuid, validateUpdateBody, type Validated } from "../registry/validate.js";
import type { Target } from "../registry/target.js";

/** Checks on webhook flags before any request, with the API's own validation and the flags' names. */

const FLAG_FOR_FIELD: Record<string, string> = { url: "--url", status: "--status", enabled_events: "--events", version: "--version" };

function flagFor(field: string): string {
  return FLAG_FOR_FIELD[field.replace(/\[\d+\]$/, "")] ?? field;
}

function localOnlyHint(field: ApiFieldError, value: unknown): string {
  if (field.name !== "url" || typeof value !== "string") return "";
  try {
    const url = new URL(value);
    if (url.protocol === "http:" && isLoopbackHost(url.hostname)) {
      return " (http://localhost and http://127.0.0.1 are accepted only by the local registry: --env local, or a mock on 127.0.0.1)";
    }
  } catch {
    // not a URL: the field message says so
  }
  return "";
}

/** An event name that resembles none: where the names are, as simulate and smoke say it. */
function eventListHint(field: ApiFieldError): string {
  if (!/^enabled_events\[\d+\]$/.test(field.name) || /did you mean/.test(field.message)) return "";
  return '; run "pinwheel-cli fixtures list" to see every event';
}

export function usableOrUsageError<T>(result: Validated<T>, body: Record<string, unknown>): T {
  if (result.ok) return result.value;
  const field = result.error.fields?.[0];
  if (!field) throw usageError(result.error.message);
  throw usageError(`${flagFor(field.name)}: ${field.message}${localOnlyHint(field, body[field.name])}${eventListHint(field)}`);
}

export function webhookIdOrUsageError(id: string): string {
  if (isUuid(id)) return id;
  throw usageError(`"${id}" is not a webhook id (a UUID such as 61788409-8314-4e89-9300-ae7b9d3ccff5); see "pinwheel-cli webhooks list"`);
}

/** For the URL prompt: the same message the flag would get, or true. */
export function urlProblem(target: Target): (value: string) => string | true {
  return (value) => {
    const url = withLoopbackScheme(value.trim());
    const result = validateUpdateBody({ url }, { allowLoopbackHttp: target.allowLoopbackHttp });
    if (result.ok) return true;
    const field = result.error.fields?.[0];
    return field ? `${field.message}${localOnlyHint(field, url)}` : result.error.message;
  };
}

/** The event checkbox: the catalog's events (every name Pinwheel accepts), by family. */
export function eventGroups(): EventChoiceGroup[] {
  const groups = new Map<string, EventChoiceGroup>();
  for (const entry of CATALOG) {
    const label = FAMILY_LABELS[entry.family];
    const group = groups.get(label) ?? { label, events: [] };
    groups.set(label, { label, events: [...group.events, { name: entry.name, description: entry.description }] });
  }
  return [...groups.values()];
}
