import { HttpError } from "../http/http-error.js";

/** A stored request's id as the API takes it, in a path or a query. */
export const ID = /^\d{1,15}$/;

export function optionalText(url: URL, name: string, maxLength = 200): string | undefined {
  const value = url.searchParams.get(name)?.trim();
  if (!value) return undefined;
  if (value.length > maxLength) throw new HttpError(400, "invalid_query", `${name} is longer than ${maxLength} characters`);
  return value;
}

export function optionalId(url: URL, name: string): number | undefined {
  const value = url.searchParams.get(name);
  if (value === null || value === "") return undefined;
  if (!ID.test(value)) throw new HttpError(400, "invalid_query", `${name} must be a request id (digits)`);
  return Number(value);
}
