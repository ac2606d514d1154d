import { describe, expect, it } from "vitest";
import { wordError } from "../../src/cli/word-error.js";
import { CliError, usageError } from "../../src/errors.js";
import { buildEvent } from "../../src/events/build.js";
import { OverrideError } from "../../src/events/override-error.js";
import { parseScenario } from "../../src/events/scenario.js";
import { ScenarioError } from "../../src/events/scenario-error.js";
import { createSignedRequest } from "../../src/library/signed-request.js";
import { resolveTarget } from "../../src/registry/target.js";
import { TargetError } from "../../src/registry/target-error.js";
import { StoreError } from "../../src/store/store-error.js";
import { thrown } from "../helpers/thrown.js";


const SECRET = "test-secret";

describe("the CLI words the core's errors in its flags, the library in its options", () => {
  it("one bad set: --set on the command line, \"set\" from createSignedRequest", () => {
    const core = thrown(() => buildEvent("paystubs.added", { set: [{ path: "payload.nope", value: 1 }] }));
    expect(wordError(core)).toEqual({
      message: '--set payload.nope: paystubs.added has no such field; did you mean "payload.name"? (use --add for a new field)',
      exitCode: 2,
    });
    const library = thrown(() => createSignedRequest("paystubs.added", { secret: SECRET, set: { "payload.nope": 1 } }));
    expect(library).toBeInstanceOf(TypeError);
    expect((library as Error).message).toBe(
      'createSignedRequest: "set" payload.nope: paystubs.added has no such field; did you mean "payload.name"? (use "add" for a new field)',
    );
    expect((library as Error).cause).toBeInstanceOf(OverrideError);
  });

  it("the ids: --account-id and --end-user-id on the command line, accountId and endUserId in the library", () => {
    const envelope = { event: "custom.thing", event_id: "evt_1", payload: {} };
    const library = thrown(() => createSignedRequest(structuredClone(envelope), { secret: SECRET, endUserId: "u1" }));
    expect((library as Error).message).toBe('createSignedRequest: "endUserId": custom.thing has no payload.end_user_id');
    const core = thrown(() => buildEvent("account.added", { outcome: "error" }));
    expect(wordError(core)?.message).toBe("--outcome: account.added is not a job event and carries no outcome");
  });

  it("words from the error's data, not by rewriting its text: a path that looks like a flag is left alone", () => {
    const library = thrown(() => createSignedRequest("account.added", { secret: SECRET, unset: ["payload.--set"] }));
    expect((library as Error).message).toMatch(/^createSignedRequest: "unset" payload\.--set: account\.added has no such field/);
    const core = thrown(() => buildEvent("account.added", { unset: ["payload.--set"] }));
    expect(wordError(core)?.message).toMatch(/^--unset payload\.--set: account\.added has no such field/);
  });

  it("a scenario's step names its own fields, and is a usage mistake on the command line", () => {
    const error = thrown(() => parseScenario({ name: "x", steps: [{ event: "income.added", deliver_after: "ghost" }] }, "mine.json"));
    expect(error).toMatchObject({ kind: "invalid", scenario: "mine.json", step: { number: 1, sends: "income.added" }, field: "deliver_after" });
    expect(wordError(error)).toEqual({
      message: 'scenario mine.json: step 1 (income.added): field "deliver_after": no step is labelled "ghost"; "pinwheel-cli scenarios show at-least-once --json" prints a valid scenario to compare with',
      exitCode: 2,
    });
    expect(wordError(new ScenarioError({ kind: "unreadable", scenario: "a.json", reason: "no such file" }))).toEqual({ message: "scenario file a.json: no such file", exitCode: 1 });
  });

  it("the store names no flag; the CLI adds --db where another file is the way out, as failed work", () => {
    const locked = new StoreError({ kind: "locked", file: "/tmp/x.db", detail: "database is locked" });
    expect(locked.message).toBe("/tmp/x.db is locked by another process");
    expect(wordError(locked)).toEqual({ message: "/tmp/x.db is locked by another process; try again, or pass --db <path>", exitCode: 1 });
    const unwritable = new StoreError({ kind: "unwritable", file: "/ro/x.db", detail: "EROFS" });
    expect(wordError(unwritable)?.message).toBe("cannot write the event database at /ro/x.db (EROFS); pass --db <path> or set PINWHEEL_CLI_DB");
  });

  it("the CLI's own errors keep their code; anything else is not its to word", () => {
    expect(wordError(usageError("x"))).toEqual({ message: "x", exitCode: 2 });
    expect(wordError(new CliError("y"))).toEqual({ message: "y", exitCode: 1 });
    expect(wordError(new Error("boom"))).toBeUndefined();
  });
});

describe("where webhooks live: the registry says which setting, the CLI names its flag or variable", () => {
  it("a flag's bad value carries the setting and its source; the CLI names the flag", () => {
    const core = thrown(() => resolveTarget({ env: "staging", timeout: 1000 }));
    expect(core).toBeInstanceOf(TargetError);
    expect((core as TargetError).data).toMatchObject({ kind: "not_an_environment", origin: { setting: "env", source: "flag", value: "staging" } });
    expect((core as Error).message).not.toMatch(/--env/);
    expect(wordError(core)).toEqual({ message: expect.stringMatching(/^--env: "staging" is not an environment; use sandbox/), exitCode: 2 });
  });

  it("a typo of an environment or a version is answered with the one meant", () => {
    expect(wordError(thrown(() => resolveTarget({ env: "sandbx", timeout: 1000 })))?.message).toBe('--env: "sandbx" is not an environment; did you mean "sandbox"?');
    const version = new TargetError({ kind: "not_a_version", origin: { setting: "api-version", source: "env", value: "2025-07-09" }, allowed: ["2023-11-22", "2025-07-08"] });
    expect(wordError(version)?.message).toBe('PINWHEEL_API_VERSION: "2025-07-09" is not a Pinwheel-Version; did you mean "2025-07-08"?');
  });

  it("--db beside a base URL names what chose the API", () => {
    const core = thrown(() => resolveTarget({ baseUrl: "http://127.0.0.1:4010", db: "/tmp/x.db", timeout: 1000 }));
    expect((core as TargetError).data).toMatchObject({ kind: "db_beside_api", because: { setting: "base-url", source: "flag" } });
    expect(wordError(core)?.message).toBe("--db is where the local registry (--env local) keeps webhooks, but these go to --base-url; drop --db");
  });

  it("the same data from an environment variable is worded with the variable", () => {
    const error = new TargetError({ kind: "not_a_version", origin: { setting: "api-version", source: "env", value: "2020" }, allowed: ["2025-07-08"] });
    expect(wordError(error)?.message).toBe('PINWHEEL_API_VERSION: "2020" is not a Pinwheel-Version; use 2025-07-08');
  });
});
