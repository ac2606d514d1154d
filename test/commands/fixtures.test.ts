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

describe("fixtures list", () => {
  it("lists every event webhooks create --events accepts, the undocumented ones marked, and simulate can build each", async () => {
    home = tempHome();
    const result = await runCli(["fixtures", "list", "--json"], { env: home.env });
    expectExit(result, 0);
    const rows = JSON.parse(result.stdout) as { name: string; documented: boolean; job: boolean }[];
    const undocumented = rows.filter((row) => !row.documented).map((row) => row.name);
    expect(undocumented).toEqual(expect.arrayContaining(["earnings_stream.payouts.refreshed", "tax_forms.added", "bill.reminder", "company_connect.status.updated"]));
    expect(undocumented).toHaveLength(15);
    expect(rows.find((row) => row.name === "bill_switch.cancelled")).toMatchObject({ job: true, documented: false });
    const table = await runCli(["fixtures", "list"], { env: home.env });
    expect(table.stdout).toMatch(/bill\.reminder .*\(payload undocumented\)/);
  });

  it("did you mean knows the undocumented events", async () => {
    home = tempHome();
    const result = await runCli(["fixtures", "show", "bill.remind", "--json"], { env: home.env });
    expectExit(result, 2);
    expect(expectOneLineError(result.stderr)).toMatch(/did you mean "bill.reminder"/);
  });
});
