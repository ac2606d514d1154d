/**
 * For a value the code around it guarantees (a validated scenario's label, a row an INSERT ...
 * RETURNING just wrote, a regular expression's group): says which guarantee broke instead of
 * letting `undefined` travel on. A failure here is a bug, reported as an unexpected failure.
 */
export function defined<T>(value: T | undefined | null, what: string): T {
  if (value === undefined || value === null) throw new Error(`internal: ${what} is missing`);
  return value;
}
