import type { z } from "zod";

/**
 * Says that a value passes a schema and that zod's output would hold what the value holds, without
 * zod's copy of it or a word about what is wrong. False means "ask zod".
 */
export type FastCheck = (value: unknown) => boolean;

interface CheckDef {
  check: string;
  minimum?: number;
  value?: number;
  inclusive?: boolean;
}

interface Check {
  _zod: { def: CheckDef; check(payload: { value: unknown; issues: unknown[] }): void };
}

interface SchemaDef {
  type: string;
  format?: string;
  pattern?: RegExp;
  checks?: Check[];
  shape?: Record<string, z.ZodType>;
  catchall?: z.ZodType;
  innerType?: z.ZodType;
  element?: z.ZodType;
  entries?: Record<string, unknown>;
  values?: unknown[];
}

function defOf(schema: z.ZodType): SchemaDef {
  return (schema as unknown as { _zod: { def: SchemaDef } })._zod.def;
}

/** Why a schema cannot be compiled: a kind of zod schema or check this module does not know. */
export class UncompilableSchemaError extends Error {
  constructor(what: string) {
    super(`fast-check cannot compile ${what}; teach src/events/fast-check.ts, or validate this schema with zod alone`);
    this.name = "UncompilableSchemaError";
  }
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** A string's or a number's own checks (min length, bounds), as zod runs them. */
function valueChecks(def: SchemaDef): ((value: never) => boolean)[] {
  return (def.checks ?? []).map((check) => {
    const { check: kind, minimum, value, inclusive } = check._zod.def;
    if (kind === "min_length" && minimum !== undefined) return (text: string) => text.length >= minimum;
    if (kind === "greater_than" && value !== undefined) return (number: number) => (inclusive ? number >= value : number > value);
    throw new UncompilableSchemaError(`a "${kind}" check on a ${def.type}`);
  });
}

/**
 * A refinement (superRefine) runs only once everything else passed: it adds an issue, or not. Its
 * `when` decides whether zod runs it after other issues, which never happens here.
 */
function refinementPasses(check: Check, value: unknown): boolean {
  const payload = { value, issues: [] as unknown[] };
  check._zod.check(payload);
  return payload.issues.length === 0;
}

function compileString(def: SchemaDef): FastCheck {
  const pattern = def.pattern;
  const checks = valueChecks(def);
  return (value) => {
    if (typeof value !== "string") return false;
    if (pattern !== undefined && !pattern.test(value)) return false;
    for (const check of checks) if (!check(value as never)) return false;
    return true;
  };
}

function compileNumber(def: SchemaDef): FastCheck {
  if (def.format !== undefined && def.format !== "safeint") throw new UncompilableSchemaError(`a number of format "${def.format}"`);
  const integer = def.format === "safeint";
  const checks = valueChecks(def);
  return (value) => {
    if (typeof value !== "number" || !Number.isFinite(value)) return false;
    if (integer && !Number.isSafeInteger(value)) return false;
    for (const check of checks) if (!check(value as never)) return false;
    return true;
  };
}

function compileObject(def: SchemaDef): FastCheck {
  const catchall = def.catchall === undefined ? undefined : defOf(def.catchall).type;
  if (catchall !== "unknown") throw new UncompilableSchemaError(`an object that is not loose (catchall ${catchall ?? "none"})`);
  const fields = Object.entries(def.shape ?? {}).map(([key, child]) => [key, compile(child)] as const);
  const refinements = def.checks ?? [];
  for (const refinement of refinements) {
    if (refinement._zod.def.check !== "custom") throw new UncompilableSchemaError(`a "${refinement._zod.def.check}" check on an object`);
  }
  return (value) => {
    // zod leaves an own "__proto__" key (JSON.parse makes one) out of its copy: that copy, not the body, is then the answer.
    if (!isObject(value) || Object.hasOwn(value, "__proto__")) return false;
    for (const [key, check] of fields) if (!check(value[key])) return false;
    for (const refinement of refinements) if (!refinementPasses(refinement, value)) return false;
    return true;
  };
}

function compileArray(def: SchemaDef): FastCheck {
  if ((def.checks ?? []).length > 0) throw new UncompilableSchemaError("an array with checks");
  const element = compile(def.element as z.ZodType);
  return (value) => {
    if (!Array.isArray(value)) return false;
    for (const item of value) if (!element(item)) return false;
    return true;
  };
}

function compileUnchecked(def: SchemaDef): FastCheck {
  if ((def.checks ?? []).length > 0) throw new UncompilableSchemaError(`a ${def.type} with checks`);
  switch (def.type) {
    case "boolean":
      return (value) => typeof value === "boolean";
    case "unknown":
      return () => true;
    case "enum": {
      const allowed = new Set(Object.values(def.entries ?? {}));
      return (value) => allowed.has(value);
    }
    case "literal": {
      const allowed = new Set(def.values ?? []);
      return (value) => allowed.has(value);
    }
    case "optional": {
      const inner = compile(def.innerType as z.ZodType);
      return (value) => value === undefined || inner(value);
    }
    case "nullable": {
      const inner = compile(def.innerType as z.ZodType);
      return (value) => value === null || inner(value);
    }
    default:
      throw new UncompilableSchemaError(`a schema of type "${def.type}"`);
  }
}

const COMPILERS = new Map<string, (def: SchemaDef) => FastCheck>([
  ["string", compileString],
  ["number", compileNumber],
  ["object", compileObject],
  ["array", compileArray],
]);

const compiled = new WeakMap<z.ZodType, FastCheck>();

/**
 * A plain-JavaScript predicate for a zod schema built from the kinds this project's event schemas
 * use (loose objects with refinements, strings with patterns and lengths, safe integers with
 * bounds, enums, literals, booleans, arrays, optional and nullable values). It agrees with zod's
 * safeParse(...).success on every value but an object with an own "__proto__" key, which it leaves
 * to zod (test/events/fast-check.test.ts mutates every field of every fixture to hold it to that);
 * any other kind of schema fails to compile rather than guess. A value that passes needs no zod
 * at all; one that fails goes to zod for its issues.
 */
export function compile(schema: z.ZodType): FastCheck {
  const known = compiled.get(schema);
  if (known) return known;
  const def = defOf(schema);
  const check = (COMPILERS.get(def.type) ?? compileUnchecked)(def);
  compiled.set(schema, check);
  return check;
}
