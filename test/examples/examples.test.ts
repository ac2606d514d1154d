/**
 * Every handler in examples/ (importing the BUILT @pinwheel-cli/webhooks, packages/webhooks/dist/)
 * against the BUILT CLI (npm run build first): smoke sends each
 * catalog event, the at-least-once scenario sends duplicates, and a wrong secret must be refused,
 * so the README's snippets cannot rot and the examples really verify; and each passes every
 * check of the conformance suite (smoke --suite conformance).
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { runCli, tempHome, type CliResult, type TempHome } from "../helpers/cli.js";
import { startExample, type RunningExample } from "./start-example.js";
import { EVENT_NAMES } from "../../src/events/catalog.js";
import { CHECK_IDS } from "../../src/conformance/index.js";
import { createSignedRequest } from "../../src/index.js";

const SECRET = "sk_examples_e2e_52aa";
// at-least-once: 8 deliveries of 5 events (an immediate duplicate, a late resend of two).
const SCENARIO_EVENTS = 5;
const SCENARIO_DUPLICATES = 3;

let home: TempHome;
beforeAll(() => {
  home = tempHome();
});
afterAll(() => home.cleanup());

function describeRun(result: CliResult, example: RunningExample): string {
  return `exit ${result.code}\nstdout: ${result.stdout}\nstderr: ${result.stderr}\nexample output: ${example.output()}`;
}

describe.each(["node-http", "express", "fastify", "hono"])("examples/%s", (name) => {
  let example: RunningExample;
  afterEach(async () => {
    await example?.stop();
  });

  it("passes smoke, dedupes the at-least-once scenario, and refuses a wrong secret", async () => {
    example = await startExample(name, SECRET, home.env);

    const smoke = await runCli(["smoke", "--to", example.url, "--secret", SECRET, "--json"], { env: home.env });
    expect(smoke.code, describeRun(smoke, example)).toBe(0);
    expect(JSON.parse(smoke.stdout)).toMatchObject({ passed: EVENT_NAMES.length, failed: 0 });

    const scenario = await runCli(["simulate", "--scenario", "at-least-once", "--speed", "100", "--to", example.url, "--secret", SECRET], { env: home.env });
    expect(scenario.code, describeRun(scenario, example)).toBe(0);
    expect(await example.stats()).toEqual({ handled: EVENT_NAMES.length + SCENARIO_EVENTS, duplicates: SCENARIO_DUPLICATES });

    const forged = await runCli(["smoke", "--to", example.url, "--secret", "sk_not_the_apps_secret", "--events", "paystubs.fully_synced,account.added", "--json"], {
      env: home.env,
    });
    expect(forged.code, describeRun(forged, example)).toBe(1);
    const report = JSON.parse(forged.stdout) as { failed: number; checks: { status_code: number | null }[] };
    expect(report.failed).toBe(2);
    expect(report.checks.map((check) => check.status_code)).toEqual([401, 401]);
    // Refused requests are not handled: the counts did not move.
    expect(await example.stats()).toEqual({ handled: EVENT_NAMES.length + SCENARIO_EVENTS, duplicates: SCENARIO_DUPLICATES });
  });

  it("accepts a genuine event larger than the frameworks' default body limits (Express 100 kB, Fastify 1 MiB)", async () => {
    example = await startExample(name, SECRET, home.env);
    const added = Array.from({ length: 30_000 }, (_, index) => ({ id: `00000000-0000-4000-8000-${String(index).padStart(12, "0")}` }));
    const { headers, body } = createSignedRequest("shifts.added", { secret: SECRET, set: { "payload.added": added } });
    expect(body.length).toBeGreaterThan(1024 * 1024);
    const response = await fetch(example.url, { method: "POST", headers, body });
    expect(response.status, example.output()).toBe(200);
    expect(await example.stats()).toEqual({ handled: 1, duplicates: 0 });
  });

  it("passes every check of smoke --suite conformance", async () => {
    example = await startExample(name, SECRET, home.env);
    const result = await runCli(["smoke", "--suite", "conformance", "--to", example.url, "--secret", SECRET, "--json"], { env: home.env });
    expect(result.code, describeRun(result, example)).toBe(0);
    const report = JSON.parse(result.stdout) as { failed: number; checks: { id: string; verdict: string }[] };
    expect(report.checks.map((check) => check.id)).toEqual([...CHECK_IDS]);
    // A loaded machine may push the p95 past 2 s (a warning); every other check must pass outright.
    const verdicts = Object.fromEntries(report.checks.map((check) => [check.id, check.id === "response-time" && check.verdict === "warn" ? "pass" : check.verdict]));
    expect(verdicts, describeRun(result, example)).toEqual(Object.fromEntries(CHECK_IDS.map((id) => [id, "pass"])));
  }, 60_000);
});
