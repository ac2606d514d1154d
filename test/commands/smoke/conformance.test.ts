/**
 * smoke --suite conformance through the BUILT binary against broken handlers on 127.0.0.1 (in
 * this process): the report card, --json, JUnit, exit codes and the usage errors. What each check
 * judges is tested in-process in test/conformance/runner.test.ts.
 */
import { readFileSync } from "node:fs";
import { spawn } from "node:child_process";
import { createServer as createNetServer, type AddressInfo } from "node:net";
import { join } from "node:path";
import { createServer as createHttpServer } from "node:http";
import { afterAll, afterEach, beforeAll, describe, expect, it, onTestFinished } from "vitest";
import { CHECK_IDS } from "../../../src/conformance/index.js";
import { CLI_PATH, REPO_ROOT, runCli, STOP_SIGNALS, tempHome, type TempHome } from "../../helpers/cli.js";
import { useRecordingServers } from "../../helpers/servers.js";
import { waitUntil } from "../../helpers/wait.js";
import { expectExit, expectOneLineError } from "../../helpers/delivery-cli.js";
import { findAll, parseWellFormedXml } from "../../helpers/xml-well-formed.js";
import { startHandler, type HandlerSteps, type RunningHandler } from "../../fixtures/handlers/base.js";
import { acceptsForged } from "../../fixtures/handlers/accepts-forged.js";
import { nonIdempotent } from "../../fixtures/handlers/non-idempotent.js";
import { slow } from "../../fixtures/handlers/slow.js";

const SECRET = "sk_conformance_cli_81f0";
let home: TempHome;
const handlers: RunningHandler[] = [];
beforeAll(() => {
  home = tempHome();
});
afterEach(async () => {
  await Promise.all(handlers.splice(0).map((handler) => handler.close()));
});
afterAll(() => home.cleanup());

async function handler(steps: Partial<HandlerSteps> = {}): Promise<RunningHandler> {
  const running = await startHandler(SECRET, steps);
  handlers.push(running);
  return running;
}

function conformance(args: string[]) {
  return runCli(["smoke", "--suite", "conformance", ...args, "--secret", SECRET], { env: home.env });
}

interface ReportJson {
  suite: string;
  url: string;
  passed: number;
  failed: number;
  warned: number;
  checks: {
    id: string;
    verdict: string;
    message: string;
    fix: string;
    answered: string;
    exchanges: { label: string; evidence: boolean; sent: { headers: Record<string, string>; body: string }; answer: { status_code: number | null } }[];
  }[];
}

describe("smoke --suite conformance", () => {
  it("prints the report card: every check, then what was sent, what came back and the fix for the failing one; exit 1", async () => {
    const target = await handler(acceptsForged);
    const result = await conformance(["--to", target.url]);
    expectExit(result, 1);
    const rows = result.stdout.split("\n").filter((line) => /^(pass|FAIL|warn) {2,}/.test(line));
    expect(rows.map((row) => row.split(/\s+/)[1])).toEqual([...CHECK_IDS]);
    expect(rows.filter((row) => row.startsWith("FAIL"))).toEqual([expect.stringMatching(/^FAIL\s+forged-signature\s+200\s+an event with a made-up x-pinwheel-signature/)]);
    // Without --state-url the idempotency passes say what they could not check, on their rows.
    const partly = rows.filter((row) => row.endsWith("  (double processing not checked without --state-url)"));
    expect(partly.map((row) => row.split(/\s+/).slice(0, 2).join(" "))).toEqual(["pass duplicate-delivery", "pass retried-delivery"]);
    const details = result.stdout.slice(result.stdout.indexOf("\nFAIL forged-signature: "));
    expect(details).toMatch(/^\nFAIL forged-signature: answered 200 to a made-up signature \(v2= and 16 hex characters, not an HMAC\)/);
    expect(details).toMatch(/\n {2}sent: {3}a made-up signature .*, unknown end user\n {10}POST http:\/\/127\.0\.0\.1:\d+\/webhooks {2}content-type: application\/json {2}x-pinwheel-signature: v2=[0-9a-f]{16} {2}x-timestamp: \d{10}\n {10}\{"event":"income\.added"/);
    expect(details).toMatch(/\n {2}answer: 200 in \d+ ms: \{"received":true\}\n {2}fix: {4}refuse unless the header is "v2=" and 64 hex characters/);
    expect(result.stdout).toContain(`${CHECK_IDS.length - 1} passed, 1 failed, 0 warnings (conformance of ${target.url})`);
    expect(expectOneLineError(result.stderr)).toBe(`error: conformance failed: 1 of ${CHECK_IDS.length} checks (forged-signature)`);
  });

  it("--json: one document with each check's verdict, message, fix and exchanges; a warning does not fail the run", async () => {
    const target = await handler(nonIdempotent);
    const result = await conformance(["--to", target.url, "--state-url", target.stateUrl, "--checks", "duplicate-delivery,retried-delivery,genuine-events", "--json"]);
    expectExit(result, 1);
    const report = JSON.parse(result.stdout) as ReportJson;
    expect(report).toMatchObject({ suite: "conformance", url: target.url, passed: 1, failed: 1, warned: 1 });
    expect(report.checks.map((check) => [check.id, check.verdict])).toEqual([
      ["genuine-events", "pass"],
      ["duplicate-delivery", "fail"],
      ["retried-delivery", "warn"],
    ]);
    expect(report.checks.map((check) => (check as { unchecked?: unknown }).unchecked)).toEqual([null, null, null]);
    const duplicate = report.checks[1]!;
    expect(duplicate.message).toMatch(/--state-url went from processed \d+ to processed \d+ on the duplicate: it processed the same event_id twice$/);
    expect(duplicate.fix).toMatch(/^store event_id with a unique constraint/);
    expect(duplicate.exchanges.map((exchange) => [exchange.evidence, exchange.answer.status_code])).toEqual([
      [false, 200],
      [true, 200],
    ]);
    // The duplicate is the same request: same bytes, same headers.
    expect(duplicate.exchanges[1]!.sent).toEqual(duplicate.exchanges[0]!.sent);
    expect(expectOneLineError(result.stderr)).toBe("error: conformance failed: 1 of 3 checks (duplicate-delivery)");

    // A state URL that does not move (another app's) cannot show a duplicate: a warning, and exit 0.
    const elsewhere = await handler();
    const warnedOnly = await conformance(["--to", target.url, "--state-url", elsewhere.stateUrl, "--checks", "duplicate-delivery", "--json"]);
    expectExit(warnedOnly, 0);
    const warned = JSON.parse(warnedOnly.stdout) as ReportJson;
    expect(warned).toMatchObject({ passed: 0, failed: 0, warned: 1 });
    expect(warned.checks[0]!.message).toMatch(/--state-url did not change after the first delivery either/);
  });

  it("--output writes JUnit XML: one testcase per check, a failure for the failing one, the card still prints", async () => {
    const target = await handler(slow("shifts.fully_synced", 2000));
    const file = join(home.home, "conformance.xml");
    // A small --timeout keeps the slow handler's run short; users get Pinwheel's 15 s.
    const result = await conformance(["--to", target.url, "--checks", "genuine-events,content-type,response-time", "--timeout", "1500", "--output", file]);
    expectExit(result, 1);
    const root = parseWellFormedXml(readFileSync(file, "utf8"));
    const cases = findAll(root, "testcase");
    expect(cases.map((c) => c.attributes.name)).toEqual(["genuine-events", "content-type", "response-time"]);
    expect(cases.every((c) => c.attributes.classname === "pinwheel-cli.conformance")).toBe(true);
    const failures = findAll(root, "failure");
    expect(failures).toHaveLength(1);
    expect(failures[0]!.attributes.message).toMatch(/^1 of \d+ answers came later than 1\.50 s \(shifts\.fully_synced: \d\.\d\d s\)/);
    expect(failures[0]!.text).toContain("fix:    answer 2xx as soon as the event is stored");
    expect(result.stdout).toMatch(/^FAIL\s+response-time\s+p95 /m);
    expect(result.stderr).toContain(`JUnit report written to ${file}`);
  });

  it("nothing listening at --to is failed work (exit 1), named in one line", async () => {
    const target = await handler();
    await target.close();
    const result = await conformance(["--to", target.url]);
    expectExit(result, 1);
    expect(expectOneLineError(result.stderr)).toMatch(new RegExp(`^error: nothing answered at ${target.url.replace(/[./]/g, "\\$&")} \\(.*ECONNREFUSED.*\\); is your app running there\\?$`));
  });

  it("something that takes the connection and drops it is not called nothing listening (exit 1, one line)", async () => {
    const dropping = createNetServer((socket) => {
      socket.on("error", () => {});
      socket.once("data", () => socket.destroy());
    });
    await new Promise<void>((resolve) => dropping.listen(0, "127.0.0.1", resolve));
    try {
      const url = `http://127.0.0.1:${(dropping.address() as AddressInfo).port}/`;
      const result = await conformance(["--to", url]);
      expectExit(result, 1);
      expect(expectOneLineError(result.stderr)).toMatch(/^error: no HTTP answer from http:\/\/127\.0\.0\.1:\d+\/ \(.+\); something there took the connection but gave no HTTP answer: /);
    } finally {
      await new Promise((resolve) => dropping.close(resolve));
    }
  });
});

describe("smoke --suite conformance stopped with Ctrl+C or SIGTERM", () => {
  const server = useRecordingServers();
  for (const [signal, code, line] of STOP_SIGNALS) {
    it(`says on ${signal} where the suite stopped: the checks done, the one in progress and how many were not run`, async () => {
      // Three answers at once (genuine-events' one event, forged-signature, tampered-body's first), then none.
      const app = await server((index) => (index < 3 ? { status: 200 } : { status: 200, delayMs: 120_000 }));
      const args = ["smoke", "--suite", "conformance", "--to", app.url, "--events", "income.added", "--secret", SECRET];
      const child = spawn(process.execPath, [CLI_PATH, ...args], { cwd: REPO_ROOT, env: home.env });
      let stderr = "";
      child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString("utf8")));
      const closed = new Promise<number | null>((resolve) => child.once("close", resolve));
      await waitUntil(() => app.requests.length === 4, 30_000);
      child.kill(signal);
      expect(await closed).toBe(code);
      expect(stderr.trim().split("\n").at(-1)).toBe(
        `${line} after 2 of ${CHECK_IDS.length} checks (1 passed, 1 failed, 0 warnings); stopped during tampered-body, ${CHECK_IDS.length - 3} not run`,
      );
    }, 60_000);
  }

  it("with --output, the JUnit report has the checks done, an error for the one in progress and the rest skipped", async () => {
    const app = await server((index) => (index < 3 ? { status: 200 } : { status: 200, delayMs: 120_000 }));
    const file = join(home.home, "conformance-stopped.xml");
    const args = ["smoke", "--suite", "conformance", "--to", app.url, "--events", "income.added", "--secret", SECRET, "--output", file];
    const child = spawn(process.execPath, [CLI_PATH, ...args], { cwd: REPO_ROOT, env: home.env });
    let stderr = "";
    child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString("utf8")));
    const closed = new Promise<number | null>((resolve) => child.once("close", resolve));
    await waitUntil(() => app.requests.length === 4, 30_000);
    child.kill("SIGTERM");
    expect(await closed).toBe(143);
    expect(stderr.trim().split("\n").at(-1)).toMatch(/; JUnit report of the checks so far written to .*conformance-stopped\.xml$/);
    const root = parseWellFormedXml(readFileSync(file, "utf8"));
    expect(findAll(root, "testsuite")[0]!.attributes).toMatchObject({ tests: String(CHECK_IDS.length), failures: "1", errors: "1", skipped: String(CHECK_IDS.length - 3) });
    expect(findAll(root, "testcase").map((testcase) => testcase.attributes.name)).toEqual([...CHECK_IDS]);
    expect(findAll(root, "error")[0]!.attributes.message).toBe("terminated (SIGTERM) during this check");
  }, 60_000);
});

describe("--strict", () => {
  it("fails the run on a warning (a 500 to an unknown event), as a JUnit failure; without it the run passes with the warning", async () => {
    const target = await handler({ unknownEventStatus: (event) => (event.startsWith("pinwheel_cli") ? 500 : undefined) });
    const base = ["--to", target.url, "--checks", "unknown-event,extra-fields"];
    const lenient = await conformance(base);
    expectExit(lenient, 0);
    expect(lenient.stdout).toContain("1 passed, 0 failed, 1 warning");
    const file = join(home.home, "strict.xml");
    const strict = await conformance([...base, "--strict", "--output", file]);
    expectExit(strict, 1);
    expect(strict.stdout).toContain("1 passed, 0 failed, 1 warning (conformance of");
    expect(strict.stdout).toContain("; warnings fail the run (--strict)");
    expect(strict.stderr.trim().split("\n").at(-1)).toBe("error: conformance failed under --strict: 1 of 2 checks warned (unknown-event)");
    const root = parseWellFormedXml(readFileSync(file, "utf8"));
    expect(findAll(root, "testsuite")[0]!.attributes).toMatchObject({ tests: "2", failures: "1" });
    expect(findAll(root, "failure")[0]!.attributes.message).toMatch(/^warning \(--strict\): /);
    const json = JSON.parse((await conformance([...base, "--strict", "--json"])).stdout) as { strict: boolean; warned: number };
    expect(json).toMatchObject({ strict: true, warned: 1 });
  });

  it("is the conformance suite's: with the smoke suite it is a usage error", async () => {
    const target = await handler();
    const result = await runCli(["smoke", "--to", target.url, "--strict", "--secret", SECRET], { env: home.env });
    expectExit(result, 2);
    expect(expectOneLineError(result.stderr)).toBe("error: --strict goes with --suite conformance");
    expect(target.processed()).toBe(0);
  });
});

describe("a suite that cannot go on still writes its JUnit report", () => {
  it("nothing answering: one error naming the cause, every other check skipped, exit 1", async () => {
    const closed = createNetServer();
    await new Promise<void>((resolve) => closed.listen(0, "127.0.0.1", resolve));
    const { port } = closed.address() as AddressInfo;
    await new Promise((resolve) => closed.close(resolve));
    const file = join(home.home, "conformance-down.xml");
    const result = await conformance(["--to", `http://127.0.0.1:${port}/webhooks`, "--output", file]);
    expectExit(result, 1);
    expect(result.stderr).toContain(`JUnit report written to ${file}\nerror: nothing answered at http://127.0.0.1:${port}/webhooks (connect ECONNREFUSED`);
    expect(result.stderr).not.toMatch(/^\s+at /m);
    const root = parseWellFormedXml(readFileSync(file, "utf8"));
    expect(findAll(root, "testsuite")[0]!.attributes).toMatchObject({ tests: String(CHECK_IDS.length), failures: "0", errors: "1", skipped: String(CHECK_IDS.length - 1) });
    expect(findAll(root, "error")[0]!.attributes.message).toMatch(/^nothing answered at .*; is your app running there\?$/);
    expect(findAll(root, "skipped")[0]!.attributes.message).toBe(`not run: the suite stopped during ${CHECK_IDS[0]}`);
  });

  it("--json prints its one document all the same: the cause as error, the check it stopped during, the rest not run; exit 1", async () => {
    const closed = createNetServer();
    await new Promise<void>((resolve) => closed.listen(0, "127.0.0.1", resolve));
    const { port } = closed.address() as AddressInfo;
    await new Promise((resolve) => closed.close(resolve));
    const url = `http://127.0.0.1:${port}/webhooks`;
    const result = await conformance(["--to", url, "--json"]);
    expectExit(result, 1);
    expect(expectOneLineError(result.stderr)).toMatch(/^error: nothing answered at .*; is your app running there\?$/);
    const report = JSON.parse(result.stdout) as Record<string, unknown>;
    expect(report).toEqual({
      suite: "conformance",
      url,
      error: expect.stringMatching(/^nothing answered at .*\(connect ECONNREFUSED.*; is your app running there\?$/),
      passed: 0,
      failed: 0,
      warned: 0,
      checks: [],
      stopped_during: [CHECK_IDS[0]],
      not_run: CHECK_IDS.slice(1),
    });
  });
});

describe("usage errors (exit 2, one line, nothing sent)", () => {
  it("suite flags on the wrong suite, an unknown check, a --state-url that is not a URL", async () => {
    const target = await handler();
    const [tolerance, scenario, check, state] = await Promise.all([
      runCli(["smoke", "--to", target.url, "--tolerance", "60", "--secret", SECRET], { env: home.env }),
      conformance(["--to", target.url, "--scenario", "at-least-once"]),
      conformance(["--to", target.url, "--checks", "genuine-events,forged-signatur"]),
      conformance(["--to", target.url, "--state-url", "example.com/count"]),
    ]);
    for (const result of [tolerance, scenario, check, state]) expectExit(result, 2);
    expect(expectOneLineError(tolerance.stderr)).toBe("error: --tolerance goes with --suite conformance");
    expect(expectOneLineError(scenario.stderr)).toMatch(/^error: --scenario \(out-of-order and pending-then-result play the scenarios\) goes with the smoke suite/);
    expect(expectOneLineError(check.stderr)).toMatch(/^error: --checks: unknown check "forged-signatur"; did you mean "forged-signature"\?/);
    expect(expectOneLineError(state.stderr)).toMatch(/^error: .*--state-url.*"example.com\/count" has no usable scheme; did you mean https:\/\/example.com\/count\?/);
    expect(target.processed()).toBe(0);
  });
});

describe("a well-formed --state-url that cannot be read: failed work (exit 1, one line, nothing sent)", () => {
  const server = useRecordingServers();

  it("nothing listening there, a 500, an answer that is not JSON, the webhook route's 401", async () => {
    const target = await handler();
    const closed = createNetServer();
    await new Promise<void>((resolve) => closed.listen(0, "127.0.0.1", resolve));
    const { port } = closed.address() as AddressInfo;
    await new Promise((resolve) => closed.close(resolve));
    const failing = await server(() => ({ status: 500 }));
    // An HTML page where the count was expected (the app's home page, say).
    const html = createHttpServer((_request, response) => response.writeHead(200, { "content-type": "text/html" }).end("<!doctype html><p>hello</p>"));
    await new Promise<void>((resolve) => html.listen(0, "127.0.0.1", resolve));
    onTestFinished(() => new Promise<void>((resolve) => html.close(() => resolve())));
    const htmlUrl = `http://127.0.0.1:${(html.address() as AddressInfo).port}/`;
    const [refused, broken, notJson, webhooks] = await Promise.all([
      conformance(["--to", target.url, "--state-url", `http://127.0.0.1:${port}/count`]),
      conformance(["--to", target.url, "--state-url", `${failing.url}count`]),
      conformance(["--to", target.url, "--state-url", htmlUrl]),
      conformance(["--to", target.url, "--state-url", target.url]),
    ]);
    for (const result of [refused, broken, notJson, webhooks]) expectExit(result, 1);
    expect(expectOneLineError(refused.stderr)).toBe(
      `error: --state-url http://127.0.0.1:${port}/count: nothing answered (ECONNREFUSED); start your app before the suite, or check the URL's host and port`,
    );
    expect(expectOneLineError(broken.stderr)).toBe(`error: --state-url ${failing.url}count: a GET answered 500; it must answer 2xx with a JSON count or list, e.g. {"count": 3}`);
    expect(expectOneLineError(notJson.stderr)).toBe(
      `error: --state-url ${htmlUrl}: a GET answered "<!doctype html><p>hello</p>", not JSON; it must answer a JSON count or list, e.g. 3, [...] or {"count": 3}`,
    );
    expect(expectOneLineError(webhooks.stderr)).toMatch(/^error: --state-url http:\/\/127\.0\.0\.1:\d+\/webhooks: a GET answered 401; /);
    expect(target.processed()).toBe(0);
  });
});
