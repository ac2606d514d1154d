/**
 * Usage errors and did-you-mean hints, in-process against the program bin/ runs (src/cli/run.ts):
 * each is exit 2 and one line on stderr, before any work, without starting a Node process.
 */
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { tempHome, type TempHome } from "../helpers/cli.js";
import { expectExit, expectOneLineError } from "../helpers/delivery-cli.js";
import { runInProcess } from "../helpers/in-process.js";

let home: TempHome;
beforeEach(() => {
  home = tempHome();
});
afterEach(() => home.cleanup());

const UNREACHABLE = "http://127.0.0.1:9/";

async function usageError(args: string[]): Promise<string> {
  const result = await runInProcess(args, { env: home.env });
  expectExit(result, 2);
  expect(result.stdout, args.join(" ")).toBe("");
  return expectOneLineError(result.stderr);
}

describe("usage errors, in-process", () => {
  it("suggests the command meant", async () => {
    const result = await runInProcess(["simulat"], { env: home.env });
    expectExit(result, 2);
    expect(result.stderr).toBe("error: unknown command 'simulat'; did you mean \"simulate\"?\n");
  });

  it("never prints the password of a URL it refuses, and refuses a bare % in one (it would be sent wrong)", async () => {
    for (const args of [
      ["simulate", "paystubs.added", "--to", "http://user:SECRETpw@127.0.0.1:99999/"],
      ["simulate", "paystubs.added", "--to", "ftp://user:SEC RETpw@127.0.0.1:9/"],
      ["simulate", "paystubs.added", "--to", "http://user:SECRET%zzpw@127.0.0.1:9/"],
      ["listen", "--forward-to", "http://user:SECRET%zzpw@127.0.0.1:9/"],
      ["smoke", "--to", "http://u:SECRETpw@[::1/"],
    ]) {
      const line = await usageError(args);
      expect(line, args.join(" ")).not.toMatch(/SECRET|pw@/);
      expect(line, args.join(" ")).toContain("***@");
    }
    expect(await usageError(["simulate", "paystubs.added", "--to", "http://user:SECRET%zzpw@127.0.0.1:9/"])).toMatch(/write a literal % as %25/);
  });

  it("refuses a timeout Node's timers cannot hold and a --retry-base that would stretch Pinwheel's schedule", async () => {
    expect(await usageError(["simulate", "paystubs.added", "--to", UNREACHABLE, "--timeout", "99999999999"])).toMatch(/--timeout.*from 1 to 2147483647/);
    expect(await usageError(["simulate", "paystubs.added", "--to", UNREACHABLE, "--retry-base", "99999999999"])).toMatch(/--retry-base.*from 1 to 30000/);
    expect(await usageError(["replay", "--all", "--to", UNREACHABLE, "--timeout", "2147483648"])).toMatch(/--timeout/);
    expect(await usageError(["listen", "--forward-to", UNREACHABLE, "--forward-timeout", "2147483648"])).toMatch(/--forward-timeout/);
  });

  it("an unknown command or option that resembles none points to the help that lists them, at its own level", async () => {
    for (const [args, line] of [
      [["prune"], "error: unknown command 'prune'; see \"pinwheel-cli --help\"\n"],
      [["events", "archive"], "error: unknown command 'archive'; see \"pinwheel-cli events --help\"\n"],
      [["events", "list", "--bogus"], "error: unknown option '--bogus'; see \"pinwheel-cli events list --help\"\n"],
    ] as const) {
      const result = await runInProcess([...args], { env: home.env });
      expectExit(result, 2);
      expect(result.stderr, args.join(" ")).toBe(line);
    }
  });

  it("a missing argument, one too many or an option without its value points to the command's help", async () => {
    for (const [args, line] of [
      [["events", "show", "--json"], "error: missing required argument 'id'; see \"pinwheel-cli events show --help\"\n"],
      [["completion"], "error: missing required argument 'shell'; see \"pinwheel-cli completion --help\"\n"],
      [["fixtures", "show", "a", "b"], "error: too many arguments for 'show'. Expected 1 argument but got 2; see \"pinwheel-cli fixtures show --help\"\n"],
      [["verify", "1", "2", "--json"], "error: too many arguments for 'verify'. Expected 1 argument but got 2; see \"pinwheel-cli verify --help\"\n"],
      [["deliveries", "list", "--event-id"], "error: option '--event-id <uuid>' argument missing; see \"pinwheel-cli deliveries list --help\"\n"],
    ] as const) {
      const result = await runInProcess([...args], { env: home.env });
      expectExit(result, 2);
      expect(result.stdout, args.join(" ")).toBe("");
      expect(result.stderr, args.join(" ")).toBe(line);
    }
  });

  it("a scenario file that is not one points to a valid scenario to compare with, for show, simulate and smoke", async () => {
    const file = join(home.home, "mine.json");
    writeFileSync(file, JSON.stringify({ name: "mine", description: "d" }));
    for (const args of [
      ["scenarios", "show", file, "--json"],
      ["simulate", "--scenario", file, "--to", UNREACHABLE, "--json"],
      ["smoke", "--scenario", file, "--to", UNREACHABLE, "--json"],
    ]) {
      const line = await usageError(args);
      expect(line, args.join(" ")).toMatch(/^error: scenario .*mine\.json: field "steps": /);
      expect(line, args.join(" ")).toMatch(/; "pinwheel-cli scenarios show at-least-once --json" prints a valid scenario to compare with$/);
    }
  });

  it("a --db that cannot be opened (a directory) is failed work whose line says to check the path", async () => {
    for (const args of [
      ["deliveries", "list", "--db", home.home, "--json"],
      ["events", "list", "--db", home.home, "--json"],
    ]) {
      const result = await runInProcess(args, { env: home.env });
      expectExit(result, 1);
      expect(result.stdout, args.join(" ")).toBe("");
      expect(expectOneLineError(result.stderr), args.join(" ")).toMatch(/^error: cannot open the event database at .*; check the path, or pass --db <path> \(or set PINWHEEL_CLI_DB\)$/);
    }
  });

  it("webhooks create and update: an event name that resembles none says where the names are", async () => {
    const id = "61788409-8314-4e89-9300-ae7b9d3ccff5";
    for (const args of [
      ["webhooks", "create", "--url", "http://127.0.0.1:3000/", "--events", "nope", "--json"],
      ["webhooks", "update", id, "--events", "account.added,nope", "--json"],
    ]) {
      expect(await usageError(args), args.join(" ")).toBe('error: --events: "nope" is not a Pinwheel event; run "pinwheel-cli fixtures list" to see every event');
    }
    expect(await usageError(["webhooks", "create", "--url", "http://127.0.0.1:3000/", "--events", "account.adde"])).toBe(
      'error: --events: "account.adde" is not a Pinwheel event; did you mean "account.added"?',
    );
  });

  it("suggests the option or subcommand meant on the same line", async () => {
    for (const [args, line] of [
      [["simulate", "paystubs.added", "--too", UNREACHABLE], "error: unknown option '--too'; did you mean \"--to\"?\n"],
      [["events", "lst"], "error: unknown command 'lst'; did you mean \"list\"?\n"],
      [["webhooks", "craete"], "error: unknown command 'craete'; did you mean \"create\"?\n"],
    ] as const) {
      const result = await runInProcess([...args], { env: home.env });
      expectExit(result, 2);
      expect(result.stderr, args.join(" ")).toBe(line);
    }
  });

  it("answers a Stripe CLI habit with what pinwheel-cli has instead, not the closest spelling", async () => {
    for (const [args, advice] of [
      [["listen", "--format", "JSON"], `error: unknown option '--format'; for JSON, use "--json"`],
      [["listen", "--format=json"], `error: unknown option '--format=json'; for JSON, use "--json"`],
      [["events", "list", "--print-json"], `error: unknown option '--print-json'; for JSON, use "--json"`],
      [["listen", "-f", "http://localhost:8080/"], `error: unknown option '-f'; to forward events to your app, use "--forward-to <url>"`],
      [["listen", "-e", "paystubs.added"], `error: unknown option '-e'; to choose the events, use "--events <a,b,...>"`],
      [["trigger", "paystubs.added", "--override", "payload.x=1"], `error: unknown option '--override'; to change a field, use "--set <path=value>"`],
      [["webhooks", "create", "--enabled-events", "income.added"], `error: unknown option '--enabled-events'; use "--events <a,b,...>"`],
      [["webhooks", "update", "some-id", "--enabled-events", "income.added"], `error: unknown option '--enabled-events'; use "--events <a,b,...>"`],
      [["events", "resend", "42"], `error: unknown command 'resend'; use "pinwheel-cli replay <id>" (alias "resend")`],
      [["events", "retrieve", "42"], `error: unknown command 'retrieve'; use "pinwheel-cli events show <id>"`],
      [["help", "events", "retrieve"], `error: unknown command 'retrieve'; use "pinwheel-cli events show <id>"`],
    ] as const) {
      expect(await usageError([...args]), args.join(" ")).toBe(advice);
    }
    expect(await usageError(["listen", "--print-secret"])).toMatch(/^error: unknown option '--print-secret'; Pinwheel signs with your workspace's API secret, .*--secret.*PINWHEEL_API_SECRET/);
    expect(await usageError(["listen", "--latest"])).toMatch(/^error: unknown option '--latest'; .*"--register"/);
    expect(await usageError(["replay", "--latest"])).toMatch(/^error: unknown option '--latest'; .*"pinwheel-cli events list --limit 1".*"pinwheel-cli replay <id>"$/);
    expect(await usageError(["listen", "--forward-connect-to", "http://localhost:8080/"])).toMatch(/^error: unknown option '--forward-connect-to'; Pinwheel has no Connect events: "--forward-to <url>"/);
    expect(await usageError(["logs", "tail"])).toMatch(/^error: unknown command 'logs'; .*"pinwheel-cli listen".*"pinwheel-cli deliveries list"/);
    // Where the name means nothing to Stripe, or this command has no --json, the usual answers stand.
    expect(await usageError(["listen", "--formt"])).toBe(`error: unknown option '--formt'; did you mean "--port"?`);
    expect(await usageError(["completion", "bash", "--format"])).toBe(`error: unknown option '--format'; see "pinwheel-cli completion --help"`);
  });

  it("suggests the choice meant when a value is not one of an option's or argument's choices", async () => {
    expect(await usageError(["smoke", "--to", UNREACHABLE, "--suite", "conformanse"])).toBe(
      `error: option '--suite <suite>' argument 'conformanse' is invalid. Allowed choices are smoke, conformance; did you mean "conformance"?`,
    );
    expect(await usageError(["webhooks", "list", "--env", "sandbx"])).toMatch(/Allowed choices are sandbox, development, production, local; did you mean "sandbox"\?$/);
    expect(await usageError(["simulate", "income.added", "--to", UNREACHABLE, "--outcome", "sucess"])).toMatch(/; did you mean "success"\?$/);
    expect(await usageError(["completion", "zhs"])).toMatch(/^error: command-argument value 'zhs' is invalid for argument 'shell'\. Allowed choices are bash, zsh, fish; did you mean "zsh"\?$/);
    // Nothing close: the list of choices alone, as before.
    expect(await usageError(["smoke", "--to", UNREACHABLE, "--suite", "everything"])).toMatch(/Allowed choices are smoke, conformance\.$/);
  });

  it("help for a command that does not exist is a usage error, not the whole help", async () => {
    expect(await usageError(["help", "nosuch"])).toBe('error: unknown command \'nosuch\'; see "pinwheel-cli --help"');
    expect(await usageError(["help", "lisen"])).toBe(`error: unknown command 'lisen'; did you mean "listen"?`);
    expect(await usageError(["help", "events", "archive"])).toBe(`error: unknown command 'archive'; see "pinwheel-cli events --help"`);
    expect(await usageError(["help", "webhooks", "craete"])).toBe(`error: unknown command 'craete'; did you mean "create"?`);
  });

  it("suggests the event meant", async () => {
    expect(await usageError(["simulate", "paystubs.fully_synce", "--to", UNREACHABLE])).toMatch(/did you mean "paystubs\.fully_synced"\?/);
  });

  it("refuses --concurrency beside --scenario, which plays its steps in order", async () => {
    expect(await usageError(["simulate", "--scenario", "at-least-once", "--concurrency", "4", "--to", UNREACHABLE])).toBe(
      'error: --concurrency applies to --count\'s events; a scenario plays its steps in order (mark steps "concurrent" in the scenario file instead)',
    );
  });

  it("refuses --db beside an HTTP API, which keeps its own webhooks", async () => {
    expect(await usageError(["webhooks", "list", "--base-url", UNREACHABLE, "--db", "x.db"])).toBe(
      "error: --db is where the local registry (--env local) keeps webhooks, but these go to --base-url; drop --db",
    );
    expect(await usageError(["webhooks", "list", "--env", "sandbox", "--db", "x.db", "--secret", "s"])).toBe(
      "error: --db is where the local registry (--env local) keeps webhooks, but these go to Pinwheel sandbox; drop --db",
    );
  });

  it("words the core's refusals in the flags: --now for a time that is not one, --fail and --pending for a job in both", async () => {
    const body = join(home.home, "body.json");
    writeFileSync(body, "{}");
    expect(await usageError(["verify", "--body", body, "--signature", "v2=00", "--timestamp", "1", "--now", "noon"])).toBe(
      "error: --now noon: expected an ISO date/time such as 2026-11-23T10:00:00Z, or Unix seconds",
    );
    expect(await usageError(["sandbox", "connect", "--env", "local", "--fail", "income", "--pending", "income"])).toBe(
      "error: --fail and --pending both name income; a job is pending then settles, or it fails",
    );
  });

  it("sandbox --env: a Pinwheel environment, or a word that is none, is refused with what to use instead", async () => {
    expect(await usageError(["sandbox", "connect", "--env", "production"])).toBe(
      'error: the sandbox is pinwheel-cli\'s own stand-in, not Pinwheel production; use --base-url <a running "pinwheel-cli mock"> or --env local',
    );
    expect(await usageError(["sandbox", "accounts", "--env", "sandbx"])).toBe(
      'error: --env: "sandbx" is not an environment; the sandbox takes --env local, or --base-url <a running "pinwheel-cli mock">',
    );
  });

  it("refuses a number that is not one, naming the option", async () => {
    expect(await usageError(["simulate", "income.added", "--count", "many", "--to", UNREACHABLE])).toMatch(/--count/);
  });
});
