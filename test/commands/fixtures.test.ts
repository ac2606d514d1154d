/** fixtures list/show through the BUILT binary. */
import { afterEach, describe, expect, it } from "vitest";
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

  it("a misspelt event is a usage error with a suggestion", async () => {
    home = tempHome();
    const result = await runCli(["fixtures", "show", "income.add", "--json"], { env: home.env });
    expectExit(result, 2);
    expect(expectOneLineError(result.stderr)).toMatch(/did you mean "income.added"/);
  });
});
