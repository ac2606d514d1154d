import { describe, expect, it } from "vitest";
import { applyOverrides, buildEvent, parseAssignments } from "../../src/events/build.js";
import { describeOverride, OverrideError, type OverrideOp } from "../../src/events/override-error.js";

/** The OverrideError a call throws. */
function overrideError(run: () => unknown): OverrideError {
  try {
    run();
  } catch (error) {
    expect(error, String(error)).toBeInstanceOf(OverrideError);
    return error as OverrideError;
  }
  throw new Error("the override landed");
}

describe("the event builder's errors carry data and name no flag", () => {
  it("an override that would remove event, event_id or payload, or change its type, is refused before anything changes", () => {
    const cases: [string, Parameters<typeof buildEvent>[1]][] = [
      ["payload", { unset: ["payload"] }],
      ["payload", { unset: ["payload"], outcome: "pending" }],
      ["payload", { set: [{ path: "payload", value: null }] }],
      ["payload", { set: [{ path: "payload", value: [1] }] }],
      ["event_id", { set: [{ path: "event_id", value: 5 }] }],
      ["event", { unset: ["event"] }],
      ["event", { set: [{ path: ".event", value: {} }] }],
    ];
    for (const [field, options] of cases) {
      const error = overrideError(() => buildEvent("paystubs.added", options));
      expect(error, JSON.stringify(options)).toMatchObject({ reason: "envelope_field", event: "paystubs.added" });
      expect(error.message).toContain(`${field}: event, event_id and payload are what the event is built and signed from`);
    }
    expect(buildEvent("paystubs.added", { set: [{ path: "event_id", value: "mine" }, { path: "payload", value: { a: 1 } }] })).toMatchObject({ event_id: "mine", payload: { a: 1 } });
  });

  it("a number JSON cannot carry (1e400 is Infinity, sent as null) and a path naming no field are refused", () => {
    for (const value of [Infinity, -Infinity, NaN, [1, Infinity], { a: { b: -Infinity } }]) {
      expect(overrideError(() => buildEvent("paystubs.added", { set: [{ path: "payload.params.count", value }] }))).toMatchObject({ op: "set", reason: "not_finite" });
      expect(overrideError(() => buildEvent("paystubs.added", { add: [{ path: "payload.params.new", value }] }))).toMatchObject({ op: "add", reason: "not_finite" });
    }
    expect(parseAssignments("set", ["payload.params.count=1e400"])[0]!.value).toBe(Infinity);
    for (const path of ["", ".", ".."]) {
      const error = overrideError(() => buildEvent("paystubs.added", { unset: [path] }));
      expect(error).toMatchObject({ op: "unset", reason: "empty_path", path });
    }
    expect(overrideError(() => buildEvent("paystubs.added", { unset: [""] })).message).toBe('unset "": the path names no field; give a dotted path such as payload.params.count');
  });

  it("a set of a field the event lacks: op, path, event and the nearest paths", () => {
    const error = overrideError(() => buildEvent("paystubs.added", { set: [{ path: "payload.params.cnt", value: 3 }] }));
    expect(error).toMatchObject({ op: "set", reason: "no_such_field", event: "paystubs.added", path: "payload.params.cnt", nearest: ["payload.params.count"] });
    expect(error.message).toBe('set payload.params.cnt: paystubs.added has no such field; did you mean "payload.params.count"? (use add for a new field)');
  });

  it("a path without payload. is offered with it", () => {
    const error = overrideError(() => buildEvent("income.added", { unset: ["account_id"] }));
    expect(error).toMatchObject({ op: "unset", reason: "no_such_field", path: "account_id", nearest: ["payload.account_id"] });
  });

  it("with nothing near, the event's fields instead", () => {
    const error = overrideError(() => buildEvent("account.added", { unset: ["zzzzzzzzzzzzzzzz"] }));
    expect(error.nearest).toEqual([]);
    expect(error.existing).toContain("payload.account_id");
    expect(error.message).toMatch(/^unset zzzzzzzzzzzzzzzz: account\.added has no such field; existing fields: .*payload\.account_id/);
  });

  it("add of a field that exists, add under a value, outcome of a non-job event, ids the event lacks", () => {
    expect(overrideError(() => buildEvent("account.added", { add: [{ path: "payload.account_id", value: 1 }] }))).toMatchObject({ op: "add", reason: "already_exists" });
    expect(overrideError(() => buildEvent("account.added", { add: [{ path: "payload.account_id.x", value: 1 }] }))).toMatchObject({
      op: "add",
      reason: "parent_not_object",
      parent: "payload.account_id",
    });
    expect(overrideError(() => buildEvent("account.added", { outcome: "error" }))).toMatchObject({ op: "outcome", reason: "not_a_job_event", event: "account.added" });
    const envelope = { event: "custom.thing", event_id: "e", payload: {} };
    expect(overrideError(() => applyOverrides(envelope, { accountId: "a" }))).toMatchObject({ op: "accountId", reason: "no_such_field", path: "payload.account_id" });
  });

  it("a path through __proto__, constructor or prototype, for every op, before anything is written", () => {
    for (const [op, overrides] of [
      ["add", { add: [{ path: "__proto__.polluted", value: 1 }] }],
      ["set", { set: [{ path: "payload.__proto__.polluted", value: 1 }] }],
      ["unset", { unset: ["payload.constructor.prototype"] }],
    ] as const) {
      expect(overrideError(() => buildEvent("income.added", overrides))).toMatchObject({ op, reason: "reserved_key" });
    }
    expect(({} as { polluted?: unknown }).polluted).toBeUndefined();
  });

  it("an empty event or event_id is an envelope override, and a field named after an Object.prototype member is just a field", () => {
    for (const field of ["event", "event_id"]) {
      expect(overrideError(() => buildEvent("income.added", { set: [{ path: field, value: "" }] }))).toMatchObject({ op: "set", reason: "envelope_field" });
    }
    // Once looked up on an object literal: hasOwnProperty was "a check" and threw a TypeError.
    const built = buildEvent("income.added", { add: [{ path: "hasOwnProperty", value: 1 }] }) as unknown as Record<string, unknown>;
    expect(Object.getOwnPropertyDescriptor(built, "hasOwnProperty")?.value).toBe(1);
  });

  it("a path=value string that is not one", () => {
    expect(overrideError(() => parseAssignments("add", ["payload.x"]))).toMatchObject({ op: "add", reason: "malformed", path: "payload.x" });
  });
});

describe("describeOverride", () => {
  const terms = (prefix: string) => (op: OverrideOp) => `${prefix}${op}`;

  it("names every override, including the one a hint points to, in the caller's terms", () => {
    const error = overrideError(() => buildEvent("paystubs.added", { set: [{ path: "payload.nope", value: 1 }] }));
    const worded = describeOverride(error, terms("~"));
    expect(worded).toMatch(/^~set payload\.nope: paystubs\.added has no such field; .* \(use ~add for a new field\)$/);
    expect(describeOverride(overrideError(() => buildEvent("account.added", { add: [{ path: "payload.account_id", value: 1 }] })), terms("~"))).toBe(
      "~add payload.account_id: the field already exists; use ~set to change it",
    );
  });

  it("leaves the path as given, whatever it contains", () => {
    const error = overrideError(() => buildEvent("account.added", { unset: ["payload.--set"] }));
    expect(describeOverride(error, terms("~"))).toMatch(/^~unset payload\.--set: account\.added has no such field/);
  });
});
