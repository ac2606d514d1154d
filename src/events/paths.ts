/** Dotted paths into JSON values ("payload.added.0.id"), for overrides that must never be silently ignored. */

export type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

function isContainer(value: unknown): value is Record<string, Json> | Json[] {
  return typeof value === "object" && value !== null;
}

export function splitPath(path: string): string[] {
  return path.split(".").filter((segment) => segment !== "");
}

const RESERVED_KEYS: ReadonlySet<string> = new Set(["__proto__", "constructor", "prototype"]);

/** A path that would reach an object's prototype instead of its own fields. */
export function hasReservedKey(path: string): boolean {
  return splitPath(path).some((segment) => RESERVED_KEYS.has(segment));
}

/** Every path that exists in the value, containers included, for "nearest path" suggestions. */
export function listPaths(value: unknown, prefix = ""): string[] {
  if (!isContainer(value)) return [];
  return Object.entries(value).flatMap(([key, child]) => {
    const path = prefix ? `${prefix}.${key}` : key;
    return [path, ...listPaths(child, path)];
  });
}

export function hasPath(root: unknown, path: string): boolean {
  let node: unknown = root;
  for (const segment of splitPath(path)) {
    if (!isContainer(node) || !Object.prototype.hasOwnProperty.call(node, segment)) return false;
    node = (node as Record<string, unknown>)[segment];
  }
  return true;
}

export function getPath(root: unknown, path: string): unknown {
  let node: unknown = root;
  for (const segment of splitPath(path)) {
    if (!isContainer(node)) return undefined;
    node = (node as Record<string, unknown>)[segment];
  }
  return node;
}

/** Sets a value, creating missing objects on the way (the caller decides whether the path had to exist). */
export function setPath(root: Record<string, unknown>, path: string, value: unknown): void {
  // Callers refuse such paths with their own words first; this keeps any other caller from polluting every object.
  if (hasReservedKey(path)) throw new TypeError(`cannot set ${path}: __proto__, constructor and prototype are not fields`);
  const segments = splitPath(path);
  let node: Record<string, unknown> = root;
  segments.slice(0, -1).forEach((segment) => {
    if (!isContainer(node[segment])) node[segment] = {};
    node = node[segment] as Record<string, unknown>;
  });
  const last = segments[segments.length - 1];
  if (last !== undefined) node[last] = value;
}

export function unsetPath(root: Record<string, unknown>, path: string): void {
  const segments = splitPath(path);
  const parent = getPath(root, segments.slice(0, -1).join("."));
  const last = segments[segments.length - 1];
  if (!isContainer(parent) || last === undefined) return;
  if (Array.isArray(parent) && /^\d+$/.test(last)) parent.splice(Number(last), 1);
  else delete (parent as Record<string, unknown>)[last];
}

/** "count=7" -> 7, "name=paystubs" -> "paystubs", 'x={"a":1}' -> {a: 1}: JSON where it parses, else the text. */
export function parseAssignment(assignment: string): { path: string; value: unknown } | undefined {
  const index = assignment.indexOf("=");
  if (index <= 0) return undefined;
  const path = assignment.slice(0, index).trim();
  const text = assignment.slice(index + 1);
  let value: unknown = text;
  try {
    value = JSON.parse(text);
  } catch {
    // not JSON: keep the text as a string
  }
  return { path, value };
}
