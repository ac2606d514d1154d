/**
 * sandbox connect's failure line, in-process against the local registry: a delivery that failed
 * says why, as simulate's does (what to do, not only what happened), and --json still prints the
 * whole result on stdout.
 */
import { afterEach, describe, expect, it } from "vitest";
import { tempHome, type TempHome } from "../helpers/cli.js";
import { expectExit, expectOneLineError } from "../helpers/delivery-cli.js";
import { runInProcess } from "../helpers/in-process.js";

let home: TempHome | undefined;
afterEach(() => {
  home?.cleanup();
  home = undefined;
});

describe("sandbox connect", () => {
  it("a delivery to a webhook where nothing listens says so, and what to check, beside the --json result", async () => {
    home = tempHome();
    const created = await runInProcess(["webhooks", "create", "--url", "http://127.0.0.1:9/", "--events", "account.added", "--json"], { env: home.env });
    expectExit(created, 0);
    const result = await runInProcess(["sandbox", "connect", "--jobs", "identity", "--seed", "7", "--json"], { env: home.env });
    expectExit(result, 1);
    const report = JSON.parse(result.stdout) as { deliveries: { target: string; ok: boolean }[] };
    expect(report.deliveries.some((delivery) => delivery.target === "http://127.0.0.1:9/" && !delivery.ok)).toBe(true);
    const line = expectOneLineError(result.stderr);
    expect(line).toMatch(/^error: 1 of \d+ deliveries failed \(first: account\.added to http:\/\/127\.0\.0\.1:9\/: /);
    expect(line).toContain('nothing is listening at http://127.0.0.1:9/ (is your app, or "pinwheel-cli listen", running there?)');
    expect(line).toMatch(/the account was created all the same$/);
  });
});
