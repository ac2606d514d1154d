/** Calendar dates as day numbers (days since 1970-01-01, UTC), so date arithmetic has no clock or DST in it. */
const DAY_MS = 86_400_000;

export function dayOf(epochMs: number): number {
  return Math.floor(epochMs / DAY_MS);
}

export function isoDate(day: number): string {
  return new Date(day * DAY_MS).toISOString().slice(0, 10);
}

export function dayFromIso(date: string): number {
  return Math.round(Date.parse(`${date}T00:00:00Z`) / DAY_MS);
}

/** 0 = Sunday … 6 = Saturday. */
export function weekday(day: number): number {
  return (day + 4) % 7;
}

export function yearOf(day: number): number {
  return new Date(day * DAY_MS).getUTCFullYear();
}

export function dayOfMonth(day: number): number {
  return new Date(day * DAY_MS).getUTCDate();
}

export function lastDayOfMonth(day: number): number {
  const date = new Date(day * DAY_MS);
  return dayOf(Date.UTC(date.getUTCFullYear(), date.getUTCMonth() + 1, 0));
}

export function firstDayOfMonth(day: number): number {
  const date = new Date(day * DAY_MS);
  return dayOf(Date.UTC(date.getUTCFullYear(), date.getUTCMonth(), 1));
}

const offsetFormats = new Map<string, Intl.DateTimeFormat>();

/** A local wall-clock time on a day, written with that zone's offset and no fraction: 2025-06-24T09:00:00-04:00. */
export function localTimestamp(day: number, minutes: number, timeZone: string): string {
  const wall = Date.UTC(1970, 0, 1) + day * DAY_MS + minutes * 60_000;
  // The zone's offset at about that instant; the sandbox's shifts never start near a DST switch hour.
  let format = offsetFormats.get(timeZone);
  if (!format) offsetFormats.set(timeZone, (format = new Intl.DateTimeFormat("en-US", { timeZone, timeZoneName: "longOffset" })));
  const name = format
    .formatToParts(new Date(wall))
    .find((part) => part.type === "timeZoneName")?.value;
  const offset = name === undefined || name === "GMT" ? "+00:00" : name.replace("GMT", "");
  const date = new Date(wall).toISOString().slice(0, 19);
  return `${date}${offset}`;
}
