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
    const report = JSON.parse(result.stdout) as { deliveries: { url: string; ok: boolean }[] };
    expect(report.deliveries.some((delivery) => delivery.url === "http://127.0.0.1:9/" && !delivery.ok)).toBe(true);
    const line = expectOneLineError(result.stderr);
    expect(line).toMatch(/^error: 1 of \d+ deliveries failed \(first: account\.added to http:\/\/127\.0\.0\.1:9\/: /);
    expect(line).toContain('nothing is listening at http://127.0.0.1:9/ (is your app, or "pinwheel-cli listen", running there?)');
    expect(line).toMatch(/the account was created all the same$/);
  });

  it("--json names a delivery's HTTP status status_code and its destination url, as deliveries list --json does", async () => {
    home = tempHome();
    const active = await runInProcess(["webhooks", "create", "--url", "http://127.0.0.1:9/a", "--events", "account.added", "--json"], { env: home.env });
    expectExit(active, 0);
    const paused = await runInProcess(["webhooks", "create", "--url", "http://127.0.0.1:9/b", "--events", "account.added", "--status", "paused", "--json"], { env: home.env });
    expectExit(paused, 0);
    const pausedId = (JSON.parse(paused.stdout) as { id: string }).id;
    const result = await runInProcess(["sandbox", "connect", "--jobs", "identity", "--seed", "7", "--json"], { env: home.env });
    expectExit(result, 1);
    const report = JSON.parse(result.stdout) as { deliveries: Record<string, unknown>[]; skipped_webhooks: Record<string, unknown>[] };
    const [first] = report.deliveries;
    expect(Object.keys(first!).sort()).toEqual(["error", "event", "event_id", "ok", "status_code", "url", "webhook_id"]);
    expect(first).toMatchObject({ event: "account.added", status_code: null, ok: false, url: "http://127.0.0.1:9/a" });
    expect(report.skipped_webhooks).toEqual([{ webhook_id: pausedId, url: "http://127.0.0.1:9/b", reason: "paused" }]);

    const listed = await runInProcess(["deliveries", "list", "--event-id", first!.event_id as string, "--json"], { env: home.env });
    expectExit(listed, 0);
    const [attempt] = JSON.parse(listed.stdout) as Record<string, unknown>[];
    expect(attempt).toMatchObject({ url: first!.url, status_code: first!.status_code });
  });
});
