/**
 * The compiled checks must agree with zod on every value, or validateWebhookEvent would accept
 * what zod reports (or send to zod what it accepts). Every field of every event's fixture is
 * deleted, nulled and replaced with values of every kind, alone and in pairs, and each variant is
 * put to both.
 */
import { describe, expect, it } from "vitest";
import type { z } from "zod";
import { buildEvent } from "../../src/events/build.js";
import { EVENT_NAMES } from "../../src/events/catalog.js";
import { compile, UncompilableSchemaError } from "../../src/events/fast-check.js";
import { eventSchemas, validateWebhookEvent } from "../../src/events/schemas.js";

type Json = unknown;
type Path = (string | number)[];

/** Every enum entry and literal in a schema: the values that switch refinements on and off. */
function namedValues(schema: z.ZodType, into = new Set<unknown>()): Set<unknown> {
  const def = (schema as unknown as { _zod: { def: Record<string, unknown> } })._zod.def;
  if (def.type === "enum") for (const value of Object.values(def.entries as object)) into.add(value);
  if (def.type === "literal") for (const value of def.values as unknown[]) into.add(value);
  for (const child of [def.innerType, def.element, def.catchall, ...Object.values((def.shape as object | undefined) ?? {})]) {
    if (child) namedValues(child as z.ZodType, into);
  }
  return into;
}

function paths(value: Json, prefix: Path = []): Path[] {
  if (typeof value !== "object" || value === null) return [];
  const entries: [string | number, Json][] = Array.isArray(value) ? value.map((item, index) => [index, item]) : Object.entries(value);
  return entries.flatMap(([key, child]) => [[...prefix, key], ...paths(child, [...prefix, key])]);
}

const DELETE = Symbol("delete");

function withValue(value: Json, path: Path, replacement: unknown): Json {
  const copy = structuredClone(value) as Record<string | number, unknown>;
  let parent = copy;
  for (const key of path.slice(0, -1)) {
    const child = parent[key];
    // A path under a field an earlier change replaced with a value: nothing left to change.
    if (typeof child !== "object" || child === null) return copy;
    parent = child as Record<string | number, unknown>;
  }
  const last = path.at(-1)!;
  if (replacement === DELETE) {
    if (Array.isArray(parent)) parent.splice(last as number, 1);
    else delete parent[last];
  } else parent[last] = replacement;
  return copy;
}

const KINDS: unknown[] = [
  DELETE,
  null,
  undefined,
  0,
  -1,
  1.5,
  2 ** 53,
  "",
  "x",
  true,
  {},
  [],
  [{}],
  "0f1e2d3c-1111-4222-8333-444455556666",
  "2021-01-12T02:36:01.287148+00:00",
  "2021-01-12T02:36:01",
  "2024-02-29",
  "2023-02-29",
];

describe("compiled event checks", () => {
  it.each(EVENT_NAMES)("%s: agrees with zod on the fixture and on every field changed, alone and in pairs", (name) => {
    const schema = eventSchemas[name];
    const check = compile(schema);
    const event = buildEvent(name) as Json;
    const replacements = [...KINDS, ...namedValues(schema)];
    const variants: Json[] = [event];
    const fieldPaths = paths(event);
    for (const path of fieldPaths) for (const replacement of replacements) variants.push(withValue(event, path, replacement));
    // Pairs of named values: a refinement that ties two fields (action and allocation) needs both.
    const named = [...namedValues(schema)];
    for (let i = 0; i < fieldPaths.length; i++) {
      for (let j = i + 1; j < fieldPaths.length; j++) {
        for (const first of named) variants.push(withValue(withValue(event, fieldPaths[i]!, first), fieldPaths[j]!, { type: "amount" }));
      }
    }
    // Fields the fixture leaves out but the schema knows: added with each kind of value.
    const payloadShape = Object.keys(((schema as unknown as { _zod: { def: { shape: { payload: z.ZodType } } } })._zod.def.shape.payload as unknown as { _zod: { def: { shape?: object } } })._zod.def.shape ?? {});
    for (const key of payloadShape) for (const replacement of replacements) if (replacement !== DELETE) variants.push(withValue(event, ["payload", key], replacement));
    variants.push(null, [], "event", { ...(event as object), payload: [] });

    const disagreements = variants.filter((variant) => check(variant) !== schema.safeParse(variant).success);
    expect(disagreements.slice(0, 3)).toEqual([]);
    expect(variants.length).toBeGreaterThan(50);
    // Both outcomes are exercised, or agreement would say little.
    expect(variants.some((variant) => check(variant))).toBe(true);
    expect(variants.some((variant) => !check(variant))).toBe(true);
  });

  it("agrees with zod on each kind of schema it compiles, alone, for values of every kind", async () => {
    const { z: zod } = await import("zod");
    const kinds = [
      zod.string().nullable(),
      zod.string().optional(),
      zod.string().nullish(),
      zod.string().min(2),
      zod.guid(),
      zod.iso.datetime({ offset: true }),
      zod.iso.date(),
      zod.int().nonnegative(),
      zod.number().gt(0),
      zod.boolean(),
      zod.enum(["a", "b"]),
      zod.literal("x"),
      zod.array(zod.int()),
      zod.looseObject({ a: zod.string().optional() }),
      zod.looseObject({}),
    ];
    for (const schema of kinds) {
      const check = compile(schema);
      for (const value of [...KINDS.filter((kind) => kind !== DELETE), "a", "ab", "b", 2, [1, 2], [1, "2"], { a: "1" }, { a: 1 }]) {
        expect([value, check(value)]).toEqual([value, schema.safeParse(value).success]);
      }
    }
  });

  it("refuses to compile a kind of schema it does not know, rather than guess", async () => {
    const { z: zod } = await import("zod");
    expect(() => compile(zod.looseObject({ at: zod.date() }))).toThrow(UncompilableSchemaError);
    expect(() => compile(zod.strictObject({ a: zod.string() }))).toThrow(/not loose/);
    expect(() => compile(zod.string().max(3))).toThrow(/max_length/);
  });

  it("a valid event comes back as itself, not a copy, with no issues", () => {
    const event = buildEvent("paystubs.fully_synced");
    const result = validateWebhookEvent(event);
    expect(result.ok && result.event).toBe(event);
  });

  it('leaves an object with an own "__proto__" key to zod, whose copy leaves the key out', () => {
    const event = buildEvent("income.added");
    const text = JSON.stringify({ ...event, payload: { ...event.payload, params: { __proto__: { polluted: 1 } } } }).replace('"params":{}', '"params":{"__proto__":{"polluted":1}}');
    const body = JSON.parse(text) as { payload: { params: object } };
    expect(Object.hasOwn(body.payload.params, "__proto__")).toBe(true);
    expect(compile(eventSchemas["income.added"])(body)).toBe(false);
    expect(eventSchemas["income.added"].safeParse(body).success).toBe(true);
    const result = validateWebhookEvent(body);
    expect(result.ok).toBe(true);
    const params = (result as { event: { payload: { params: object } } }).event.payload.params;
    expect(Object.hasOwn(params, "__proto__")).toBe(false);
    expect(Object.assign({}, params)).not.toHaveProperty("polluted");
  });
});
