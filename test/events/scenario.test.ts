import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { wordError } from "../../src/cli/word-error.js";
import { ScenarioError } from "../../src/events/scenario-error.js";
import { builtInScenarioNames, isResendStep, loadScenario, parseScenario, SCENARIOS_DIR } from "../../src/events/scenario.js";
import { BUILT_IN_SCENARIOS } from "../helpers/scenario-expectations.js";

function valid(steps: unknown[], extra: Record<string, unknown> = {}): unknown {
  return { name: "mine", description: "my scenario", ...extra, steps };
}

/** The ScenarioError parseScenario throws (a usage mistake to the CLI: exit 2), as its one-line message. */
function usageMessage(raw: unknown, origin = "mine.json"): string {
  try {
    parseScenario(raw, origin);
  } catch (error) {
    expect(error, String(error)).toBeInstanceOf(ScenarioError);
    expect((error as ScenarioError).kind).toBe("invalid");
    expect(wordError(error)?.exitCode).toBe(2);
    const message = (error as Error).message;
    expect(message).not.toContain("\n");
    return message;
  }
  throw new Error(`parseScenario accepted ${JSON.stringify(raw)}`);
}

describe("built-in scenarios", () => {
  it("are exactly the six documented ones", () => {
    expect(builtInScenarioNames()).toEqual([...BUILT_IN_SCENARIOS]);
  });

  for (const name of BUILT_IN_SCENARIOS) {
    it(`${name} loads, and its name matches its file`, () => {
      const scenario = loadScenario(name);
      expect(scenario.name).toBe(name);
      expect(scenario.description.length).toBeGreaterThan(20);
      expect(scenario.steps.length).toBeGreaterThan(2);
      expect(scenario.steps[0]).toMatchObject({ event: "account.added" });
    });
  }

  it("SCENARIOS_DIR points at fixtures/scenarios", () => {
    expect(SCENARIOS_DIR.replace(/\\/g, "/")).toMatch(/fixtures\/scenarios\/$/);
  });
});

describe("parseScenario accepts", () => {
  it("event steps with overrides and timing, and resend steps", () => {
    const scenario = parseScenario(
      valid([
        { label: "a", event: "income.added", outcome: "pending", delay_ms: 0, duplicate: 1, note: "n", concurrent: false },
        { event: "income.added", same_job_as: "a", set: { "payload.outcome": "success" }, add: {}, unset: [] },
        { resend: "a", delay_ms: 10 },
      ]),
      "mine",
    );
    expect(scenario.steps.map(isResendStep)).toEqual([false, false, true]);
  });

  it("deliver_after a later label", () => {
    expect(() => parseScenario(valid([{ event: "account.added", deliver_after: "b" }, { label: "b", event: "income.added" }]), "x")).not.toThrow();
  });
});

describe("parseScenario refuses, naming the step and the field", () => {
  it("a field of the wrong type", () => {
    const message = usageMessage(valid([{ event: "account.added" }, { event: "paystubs.added", delay_ms: "soon" }]));
    expect(message).toMatch(/^scenario mine\.json: step 2 \(paystubs\.added\): field "delay_ms": /);
    expect(message).toMatch(/number/);
  });

  it("a negative or fractional delay, a bad outcome, a non-boolean concurrent", () => {
    expect(usageMessage(valid([{ event: "account.added", delay_ms: -5 }]))).toMatch(/step 1 \(account\.added\): field "delay_ms"/);
    expect(usageMessage(valid([{ event: "account.added", duplicate: 1.5 }]))).toMatch(/step 1 \(account\.added\): field "duplicate"/);
    expect(usageMessage(valid([{ event: "income.added", outcome: "done" }]))).toMatch(/step 1 \(income\.added\): field "outcome"/);
    expect(usageMessage(valid([{ event: "income.added", concurrent: "yes" }]))).toMatch(/step 1 \(income\.added\): field "concurrent"/);
  });

  it("a nested field of the wrong type", () => {
    const message = usageMessage(valid([{ event: "account.added", unset: ["payload.x", 3] }]));
    expect(message).toMatch(/step 1 \(account\.added\): field "unset\.1"/);
  });

  it("an unknown field", () => {
    const message = usageMessage(valid([{ event: "account.added" }, { event: "income.added", delay: 100 }]));
    expect(message).toBe('scenario mine.json: step 2 (income.added): unknown field(s) "delay"');
  });

  it("an unknown field on a resend step", () => {
    const message = usageMessage(valid([{ label: "a", event: "account.added" }, { resend: "a", outcome: "success" }]));
    expect(message).toMatch(/step 2 \(resend a\): unknown field\(s\) "outcome"/);
  });

  it("a step that is neither an event nor a resend", () => {
    expect(usageMessage(valid([{ delay_ms: 5 }]))).toMatch(/step 1: a step needs "event" .* or "resend"/);
    expect(usageMessage(valid(["account.added"]))).toMatch(/step 1: a step needs "event"/);
  });

  it("an unknown event, with did-you-mean", () => {
    const message = usageMessage(valid([{ event: "account.added" }, { event: "paystubs.fuly_synced" }]));
    expect(message).toMatch(/^scenario mine\.json: step 2 \(paystubs\.fuly_synced\): unknown event "paystubs\.fuly_synced"/);
    expect(message).toContain('did you mean "paystubs.fully_synced"');
  });

  it("a resend of a label no earlier step has", () => {
    const message = usageMessage(valid([{ label: "a", event: "account.added" }, { resend: "b" }]));
    expect(message).toBe('scenario mine.json: step 2 (resend b): no earlier step is labelled "b"');
  });

  it("a resend of a label defined only later", () => {
    const message = usageMessage(valid([{ resend: "late" }, { label: "late", event: "account.added" }]));
    expect(message).toMatch(/step 1 \(resend late\): no earlier step is labelled "late"/);
  });

  it("same_job_as an unknown label", () => {
    const message = usageMessage(valid([{ event: "income.added", same_job_as: "nope" }]));
    expect(message).toMatch(/step 1 \(income\.added\): no earlier step is labelled "nope"/);
  });

  it("deliver_after an unknown label", () => {
    const message = usageMessage(valid([{ event: "account.added" }, { event: "income.added", deliver_after: "ghost" }]));
    expect(message).toBe('scenario mine.json: step 2 (income.added): field "deliver_after": no step is labelled "ghost"');
  });

  it("a label used twice", () => {
    const message = usageMessage(valid([{ label: "a", event: "account.added" }, { label: "a", event: "income.added" }]));
    expect(message).toMatch(/step 2 \(income\.added\): label "a" is used twice/);
  });

  it("a file without steps, with no steps, or with an unknown top-level field", () => {
    expect(usageMessage({ name: "x", description: "d" })).toMatch(/field "steps"/);
    expect(usageMessage(valid([]))).toMatch(/field "steps"/);
    expect(usageMessage(valid([{ event: "account.added" }], { extra: 1 }))).toMatch(/extra/);
    expect(usageMessage({ description: "d", steps: [{ event: "account.added" }] })).toMatch(/field "name"/);
    expect(usageMessage([])).toMatch(/^scenario mine\.json: /);
  });

  it("a description is optional, so a step's own mistake is the one reported", () => {
    expect(usageMessage({ name: "x", steps: [{ event: "paystub.added" }] })).toMatch(/step 1 \(paystub.added\): unknown event "paystub.added"; did you mean "paystubs.added"/);
  });

  it("a placeholder other than a date is refused rather than sent literally", () => {
    expect(usageMessage(valid([{ event: "paystubs.added", set: { "payload.params.from_pay_date": "{{tomorrow}}" } }]))).toContain(
      'step 1 (paystubs.added): field "set.payload.params.from_pay_date": unknown placeholder "{{tomorrow}}"; use {{today}} or {{today-30d}}',
    );
    expect(usageMessage(valid([{ event: "paystubs.added", add: { "payload.extra": ["{{today}}", "{{today-3}}"] } }]))).toContain('unknown placeholder "{{today-3}}"');
    expect(() => parseScenario(valid([{ event: "paystubs.added", set: { "payload.params.from_pay_date": "{{today-30d}}" } }]), "mine.json")).not.toThrow();
  });
});

describe("loadScenario", () => {
  const dir = mkdtempSync(join(tmpdir(), "pinwheel-scenario-"));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  function file(name: string, content: string): string {
    const path = join(dir, name);
    writeFileSync(path, content);
    return path;
  }

  function loadError(nameOrFile: string): string {
    try {
      loadScenario(nameOrFile);
    } catch (error) {
      expect(error, String(error)).toBeInstanceOf(ScenarioError);
      expect(wordError(error)?.exitCode).toBe(2);
      return (error as Error).message;
    }
    throw new Error(`loadScenario accepted ${nameOrFile}`);
  }

  it("reads the user's own file by path and names it in errors", () => {
    const good = file("good.json", JSON.stringify(valid([{ event: "account.added" }])));
    expect(loadScenario(good).name).toBe("mine");
    const bad = file("bad.json", JSON.stringify(valid([{ event: "account.added", delay_ms: "x" }])));
    expect(loadError(bad)).toContain(`scenario ${bad}: step 1 (account.added): field "delay_ms"`);
  });

  it("says when a file is not JSON", () => {
    const path = file("broken.json", '{"name": "x", ');
    expect(loadError(path)).toMatch(/not valid JSON/);
  });

  it("suggests the nearest built-in name", () => {
    expect(loadError("paystub-sync")).toMatch(/no scenario "paystub-sync"; did you mean "paystubs-sync"/);
    expect(loadError("zzzzzzzzzzzz")).toMatch(/built-in scenarios: at-least-once, /);
  });

  it("says a missing file is missing, as a failure to open a file (exit 1)", () => {
    const path = join(dir, "nope.json");
    try {
      loadScenario(path);
      expect.unreachable("loadScenario accepted a missing file");
    } catch (error) {
      expect(error instanceof ScenarioError && error.kind).toBe("unreadable");
      expect(wordError(error)?.exitCode).toBe(1);
      expect((error as Error).message).toBe(`scenario file ${path}: no such file`);
    }
    // A directory where a file was expected cannot be read either: still exit 1, not "not valid JSON".
    const directory = join(dir, "adir.json");
    mkdirSync(directory);
    try {
      loadScenario(directory);
      expect.unreachable("loadScenario accepted a directory");
    } catch (error) {
      expect(error instanceof ScenarioError && error.kind).toBe("unreadable");
      expect(wordError(error)?.exitCode).toBe(1);
      expect((error as Error).message).toMatch(/^scenario file .*adir\.json: cannot read it \(EISDIR/);
    }
  });
});
