/**
 * Paper cuts a first-time user hit (issue 13). FAST where the piece is a pure function (the listen
 * log line, event building, option parsing); SLOW (spawns the built CLI against a real listen on
 * 127.0.0.1 port 0, temp PINWHEEL_HOME) where only the whole command shows it.
 */
import { spawn } from "node:child_process";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Chalk } from "chalk";
import { buildEvent } from "../../src/events/build.js";
import { EVENT_NAMES } from "../../src/events/catalog.js";
import { formatRequestLine } from "../../src/output/requests.js";
import { integer } from "../../src/cli/options.js";
import type { StoredRequest } from "../../src/store/requests.js";
import { CLI_PATH, REPO_ROOT, runCli, startListen, tempHome, type Listener, type TempHome } from "../helpers/cli.js";
import { expectExit } from "../helpers/delivery-cli.js";

const plain = new Chalk({ level: 0 });
const DAY_MS = 86_400_000;

function stored(fields: Partial<StoredRequest>): StoredRequest {
  return {
    id: 1,
    event: "income.added",
    eventId: "e",
    accountId: "449e7a5c-69d3-4b8a-aaaf-5c9b713ebc65",
    receivedAt: "2026-11-23T13:18:00.123Z",
    statusCode: 200,
    verification: "verified",
    verificationDetail: null,
    duplicate: false,
    rejection: null,
    schemaErrors: null,
    ...fields,
  } as StoredRequest;
}

describe("in-process", () => {
  it("the listen log's time carries its zone, like webhooks list and events list", () => {
    expect(formatRequestLine(plain, stored({}))).toMatch(/^13:18:00Z {2}200 {2}income\.added/);
  });

  it("the listen log's event column fits the longest catalog name, so every line stays in columns", () => {
    const longest = EVENT_NAMES.reduce((a, b) => (b.length > a.length ? b : a));
    const columnOf = (line: string) => line.indexOf("acct ");
    const short = formatRequestLine(plain, stored({ event: "income.added" }));
    const long = formatRequestLine(plain, stored({ event: longest }));
    expect(columnOf(long)).toBeGreaterThan(0);
    expect(columnOf(short)).toBe(columnOf(long));
  });

  it("a single simulated event is paid near today, its pay period kept", () => {
    const now = Date.UTC(2026, 10, 30, 12);
    const { payload } = buildEvent("paystubs.fully_synced", { now });
    const params = payload.params as { from_pay_date: string; to_pay_date: string };
    expect(params.to_pay_date).toBe("2026-11-28");
    // The docs' sample covers 2020-08-01..2020-08-14: 13 days, kept.
    expect((Date.parse(params.to_pay_date) - Date.parse(params.from_pay_date)) / DAY_MS).toBe(13);
    // --set still wins over the shift.
    expect((buildEvent("paystubs.fully_synced", { now, set: [{ path: "payload.params.to_pay_date", value: "2021-01-01" }] }).payload.params as { to_pay_date: string }).to_pay_date).toBe("2021-01-01");
  });

  it("--limit abc gets a plain sentence, not a sixteen-digit maximum", () => {
    expect(() => integer(1)("abc")).toThrow("expected a whole number, 1 or more.");
    expect(() => integer(1, 1024)("0")).toThrow("expected a whole number from 1 to 1024.");
  });
});

// Each command is a process start; on a shared 2-core machine one can take several seconds.
const SLOW = { timeout: 120_000 };
const run = (args: string[], env: NodeJS.ProcessEnv) => runCli(args, { env, timeoutMs: 60_000 });

describe("the built CLI", SLOW, () => {
  let home: TempHome;
  let listener: Listener;
  const secret = "first-user-secret";

  beforeAll(async () => {
    home = tempHome();
    listener = await startListen(["--secret", secret, "--no-ui"], home.env, 30_000);
  }, 60_000);

  afterAll(async () => {
    await listener?.stop();
    home?.cleanup();
  });

  it("--quiet silences notices such as the dev-secret line, wherever it stands; data and errors still print", async () => {
    const loud = await run(["simulate", "income.added", "--to", listener.url], home.env);
    expect(loud.stderr).toContain("Using the built-in local development secret");
    const quiet = await run(["simulate", "income.added", "--to", listener.url, "--quiet"], home.env);
    expect(quiet.stderr).not.toContain("Using the built-in");
    expect(quiet.stdout).toContain("income.added");
    const quietFirst = await run(["-q", "simulate", "paystubs.fuly_synced"], home.env);
    expectExit(quietFirst, 2);
    expect(quietFirst.stderr).toContain('did you mean "paystubs.fully_synced"');
  });

  it("smoke's 401 failure says the receiver refused the signature and where the secret comes from, as simulate does", async () => {
    const result = await run(["smoke", "--to", listener.url, "--events", "income.added", "--secret", "not-the-secret"], home.env);
    expectExit(result, 1);
    expect(result.stderr).toMatch(/^error: smoke test failed: 1 of 1 check\(s\) did not get 2xx; the receiver refused the signature .*--secret and PINWHEEL_API_SECRET/m);
  });

  it("events list: times carry Z, and a truncated list says how many there are and how to see them", async () => {
    expectExit(await run(["simulate", "account.added", "--count", "3", "--to", listener.url, "--secret", secret], home.env), 0);
    const result = await run(["events", "list", "--event", "account.added", "--limit", "2"], home.env);
    expectExit(result, 0);
    const rows = result.stdout.trim().split("\n").slice(1);
    expect(rows).toHaveLength(2);
    for (const row of rows) expect(row).toMatch(/^\d+\s+\d{4}-\d\d-\d\d \d\d:\d\d:\d\dZ\s/);
    expect(result.stderr).toContain("2 of 3 shown; --limit 3 shows them all");
    const all = await run(["events", "list", "--event", "account.added", "--limit", "3"], home.env);
    expect(all.stderr).not.toContain("shown");
  });

  it("replay without --to (and no forward recorded) goes to the configured default-url, like simulate", async () => {
    expectExit(await run(["config", "set", "default-url", `${listener.url}replayed`], home.env), 0);
    const sent = await run(["simulate", "income.added", "--to", listener.url, "--secret", secret, "--json"], home.env);
    const eventId = (JSON.parse(sent.stdout.split("\n")[0]!) as { event_id: string }).event_id;
    const replay = await run(["replay", eventId, "--secret", secret], home.env);
    expectExit(replay, 0);
    expect(replay.stderr).toContain(`Replaying to the default URL ${listener.url}replayed`);
    const arrived = await listener.waitFor((line) => (line as { path?: string; event_id?: string }).path === "/replayed", 30_000);
    expect(arrived).toMatchObject({ event_id: eventId, verified: true });
  });

  it("trigger and resend are simulate and replay, for people coming from the Stripe CLI", async () => {
    const trigger = await run(["trigger", "income.added", "--to", listener.url, "--secret", secret, "--quiet"], home.env);
    expectExit(trigger, 0);
    expect(trigger.stdout).toMatch(/✔ 200 {2}income\.added/);
    const help = await run(["resend", "--help"], home.env);
    expect(help.stdout).toContain("Usage: pinwheel-cli replay|resend");
  });

  it("smoke --help shows the --expect default as 2xx", async () => {
    const help = await run(["smoke", "--help"], home.env);
    expect(help.stdout.replace(/\s+/g, " ")).toContain("(default: 2xx)");
  });

  it("sandbox --help lists no --env the sandbox refuses (only local takes one)", async () => {
    const help = await run(["sandbox", "connect", "--help"], home.env);
    expectExit(help, 0);
    const env = help.stdout.slice(help.stdout.indexOf("--env <env>"), help.stdout.indexOf("--base-url"));
    expect(env).toMatch(/^--env <env> +local, the only one: the database directly/);
    expect(env).not.toMatch(/choices|development|production/);
  });

  it("mock --help and the top-level help say the mock also serves the sandbox accounts' data", async () => {
    for (const args of [["mock", "--help"], ["--help"]]) {
      const help = await run(args, home.env);
      expectExit(help, 0);
      expect(help.stdout.replace(/\s+/g, " "), args.join(" ")).toContain(
        "serve a local stand-in of Pinwheel's API for your client's tests: /v1/webhooks, and the sandbox accounts' data (accounts, paystubs, ...)",
      );
    }
  });

  it("Ctrl+C: listen finishes, says how many requests it holds in one line and exits 130; so does a command mid-run", async () => {
    const own = await startListen(["--no-ui"], home.env, 30_000);
    // Not stop("SIGINT"): it sends SIGKILL after 5 s, and a loaded machine may need longer to finish.
    const closed = new Promise((resolve) => own.process.once("close", resolve));
    own.process.kill("SIGINT");
    await closed;
    const stopped = await own.stop();
    expect(stopped.code).toBe(130);
    expect(stopped.stderr.trim().split("\n").at(-1)).toMatch(/^interrupted \(Ctrl\+C\); stopped; \d+ request\(s\) stored by this run in /);

    // simulate --retry waiting out its backoff against an endpoint that always fails.
    const child = spawn(process.execPath, [CLI_PATH, "simulate", "income.added", "--retry", "--to", "http://127.0.0.1:9/", "--secret", secret], { cwd: REPO_ROOT, env: home.env });
    let stderr = "";
    child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString("utf8")));
    let stdout = "";
    child.stdout.on("data", (chunk: Buffer) => (stdout += chunk.toString("utf8")));
    // Its first failed attempt is printed before the backoff: the process is in the middle of its work.
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no attempt line: ${stdout} ${stderr}`)), 60_000);
      child.stdout.on("data", () => {
        if (stdout.includes("income.added")) {
          clearTimeout(timer);
          resolve();
        }
      });
    });
    const code = await new Promise<number | null>((resolve) => {
      child.once("close", resolve);
      child.kill("SIGINT");
    });
    expect(code).toBe(130);
    expect(stderr.trim().split("\n").at(-1)).toBe("interrupted (Ctrl+C)");
  });
});
