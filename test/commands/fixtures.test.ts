/** fixtures list/show through the BUILT binary. */
import { afterEach, describe, expect, it } from "vitest";
import { fixtureText } from "../../src/commands/fixtures-show.js";
import { buildEvent } from "../../src/events/build.js";
import { validateWebhookEvent } from "../../src/events/schemas.js";
import { runCli, tempHome, type TempHome } from "../helpers/cli.js";
import { expectExit, expectOneLineError } from "../helpers/delivery-cli.js";

let home: TempHome | undefined;
afterEach(() => {
  home?.cleanup();
  home = undefined;
});

describe("fixtures show", () => {
  it("--json prints the body simulate would send: one line of compact JSON that is a valid event", async () => {
    home = tempHome();
    const result = await runCli(["fixtures", "show", "income.added", "--json"], { env: home.env });
    expectExit(result, 0);
    expect(result.stdout.trimEnd().split("\n")).toHaveLength(1);
    const body = JSON.parse(result.stdout) as { event: string };
    expect(body.event).toBe("income.added");
    expect(validateWebhookEvent(body).ok).toBe(true);
    expect(result.stdout.trimEnd()).toBe(JSON.stringify(body));
  });

  it("indents for a terminal unless --json asks for the exact bytes", () => {
    const envelope = buildEvent("income.added");
    expect(fixtureText(envelope, { terminal: true })).toBe(JSON.stringify(envelope, null, 2));
    expect(fixtureText(envelope, { terminal: true, json: true })).toBe(JSON.stringify(envelope));
    expect(fixtureText(envelope, { terminal: false })).toBe(JSON.stringify(envelope));
  });

  it("a misspelt event is a usage error with a suggestion", async () => {
    home = tempHome();
    const result = await runCli(["fixtures", "show", "income.add", "--json"], { env: home.env });
    expectExit(result, 2);
    expect(expectOneLineError(result.stderr)).toMatch(/did you mean "income.added"/);
  });
});
