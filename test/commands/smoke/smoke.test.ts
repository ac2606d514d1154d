/**
 * smoke through the BUILT binary against recording receivers: every catalog event (or a
 * subset, or a scenario), the expected statuses, the table, JSON, and JUnit XML checked with a
 * strict well-formedness checker (no XML parser is installed).
 */
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { createServer, type Server } from "node:http";
import { createServer as createNetServer, type AddressInfo } from "node:net";
import { spawn } from "node:child_process";
import { join } from "node:path";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { EVENT_NAMES } from "../../../src/events/catalog.js";
import { verifyWebhook } from "../../../src/signing.js";
import { CLI_PATH, REPO_ROOT, runCli, startListen, STOP_SIGNALS, tempHome, type TempHome } from "../../helpers/cli.js";
import { waitUntil } from "../../helpers/wait.js";
import { deliveriesList, expectExit, expectOneLineError } from "../../helpers/delivery-cli.js";
import { useRecordingServers, type RecordedRequest, type ResponseScript } from "../../helpers/servers.js";
import { findAll, parseWellFormedXml, type XmlElement } from "../../helpers/xml-well-formed.js";

const SECRET = "smoke-test-secret";

let home: TempHome;
const rawServers: Server[] = [];

beforeAll(() => {
  home = tempHome();
});
afterEach(async () => {
  await Promise.all(
    rawServers.splice(0).map(
      (raw) =>
        new Promise<void>((resolve) => {
          raw.close(() => resolve());
          raw.closeAllConnections();
        }),
    ),
  );
});
afterAll(() => home.cleanup());

const server = useRecordingServers();

function smoke(args: string[]) {
  return runCli(["smoke", ...args, "--secret", SECRET], { env: home.env });
}

function eventOf(request: RecordedRequest): { event: string; event_id: string } {
  return JSON.parse(request.body.toString("utf8")) as { event: string; event_id: string };
}

/** Answers each request with the status at its index; the last one repeats. */
function statusesOf(...codes: number[]): ResponseScript {
  return (index) => ({ status: codes[Math.min(index, codes.length - 1)]! });
}

/** Answers 500 to the request carrying `event`, 200 to the rest (smoke sends one at a time). */
function failing(event: string): ResponseScript {
  return (index) => ({ status: EVENT_NAMES[index] === event ? 500 : 200 });
}

interface SmokeJson {
  url: string;
  expect: string[];
  passed: number;
  failed: number;
  checks: { name: string; event: string; event_id: string; passed: boolean; status_code: number | null; error: string | null; duration_ms: number }[];
  not_sent: string[];
}

describe("the XML checks used below (fast-xml-parser and what it lets through)", () => {
  it("accepts well-formed JUnit and rejects what a careless writer produces", () => {
    const good = `<?xml version="1.0" encoding="UTF-8"?>\n<a x="1 &amp; &lt;2&gt;"><b y='q'/><c>t &#38; &#x26; &quot;</c></a>\n`;
    const root = parseWellFormedXml(good);
    expect(root.attributes.x).toBe("1 & <2>");
    expect(findAll(root, "c")[0]!.text).toBe('t & & "');
    for (const bad of [
      `<a></a>`,
      `<?xml version="1.0"?><a><b></a></b>`,
      `<?xml version="1.0"?><a>`,
      `<?xml version="1.0"?><a x="1 & 2"/>`,
      `<?xml version="1.0"?><a x="say "hi""/>`,
      `<?xml version="1.0"?><a x="<"/>`,
      `<?xml version="1.0"?><a x="1" x="2"/>`,
      `<?xml version="1.0"?><a>1 & 2</a>`,
      `<?xml version="1.0"?><a/><b/>`,
      `<?xml version="1.0"?><a/>trailing`,
      `<?xml version="1.0"?><a><b x=1/></a>`,
      `<?xml version="1.0"?><a>\u0001</a>`,
      `<?xml version="1.0"?><a>&#1;</a>`,
      `<?xml version="1.0"?><a>&nbsp;</a>`,
    ]) {
      expect(() => parseWellFormedXml(bad), bad).toThrow();
    }
  });
});

describe("smoke --to <every catalog event>", () => {
  it("sends one signed delivery per catalog event, prints a table, and exits 0 on all 2xx", async () => {
    const target = await server();
    const result = await smoke(["--to", target.url]);
    expectExit(result, 0);
    expect(target.requests.map((r) => eventOf(r).event)).toEqual([...EVENT_NAMES]);
    for (const request of target.requests) {
      expect(verifyWebhook({ secret: SECRET, headers: request.headers, rawBody: request.body })).toMatchObject({ ok: true });
    }
    expect(new Set(target.requests.map((r) => eventOf(r).event_id)).size).toBe(EVENT_NAMES.length);
    const rows = result.stdout.split("\n").filter((line) => /^\s*(pass|FAIL)\b/.test(line));
    expect(rows).toHaveLength(EVENT_NAMES.length);
    expect(rows.every((row) => /^\s*pass\b.*\b200\b/.test(row))).toBe(true);
    for (const name of EVENT_NAMES) expect(result.stdout).toContain(name);
    expect(result.stdout).toContain(`${EVENT_NAMES.length} passed, 0 failed (expected 2xx from ${target.url})`);
  });

  it("exits 1 when one answer is not 2xx, marking that check FAIL, without retrying it", async () => {
    const target = await server(failing("income.added"));
    const result = await smoke(["--to", target.url]);
    expectExit(result, 1);
    expect(target.requests).toHaveLength(EVENT_NAMES.length);
    const failRows = result.stdout.split("\n").filter((line) => /^\s*FAIL\b/.test(line));
    expect(failRows).toHaveLength(1);
    expect(failRows[0]).toMatch(/income\.added\s+500/);
    expect(result.stdout).toContain(`${EVENT_NAMES.length - 1} passed, 1 failed`);
    expect(expectOneLineError(result.stderr)).toBe(`error: smoke test failed: 1 of ${EVENT_NAMES.length} check(s) did not get 2xx`);
  });

  it("records each check in the deliveries table as a smoke delivery", async () => {
    const target = await server();
    const result = await smoke(["--to", target.url, "--events", "identity.added,employment.added"]);
    expectExit(result, 0);
    const eventIds = target.requests.map((r) => eventOf(r).event_id);
    const rows = (await deliveriesList(home.env)).filter((row) => row.url === target.url);
    expect(rows.map((row) => [row.source, row.event, row.event_id, row.status_code])).toEqual([
      ["smoke", "identity.added", eventIds[0], 200],
      ["smoke", "employment.added", eventIds[1], 200],
    ]);
  });
});

describe("smoke --events and --expect", () => {
  it("--events sends only those, in the order given", async () => {
    const target = await server();
    const result = await smoke(["--to", target.url, "--events", "paystubs.fully_synced, account.added,income.added"]);
    expectExit(result, 0);
    expect(target.requests.map((r) => eventOf(r).event)).toEqual(["paystubs.fully_synced", "account.added", "income.added"]);
    expect(result.stdout).toContain("3 passed, 0 failed");
  });

  it("--expect 200,204 accepts a 204 and refuses a 202", async () => {
    // A 204 has no body (the recording server always writes one, which a 204 must not have).
    let noContentRequests = 0;
    const noContent = createServer((request, response) => {
      noContentRequests++;
      request.resume();
      request.on("end", () => {
        response.writeHead(204);
        response.end();
      });
    });
    rawServers.push(noContent);
    await new Promise<void>((resolve) => noContent.listen(0, "127.0.0.1", resolve));
    const noContentUrl = `http://127.0.0.1:${(noContent.address() as { port: number }).port}/`;
    const accepted = await smoke(["--to", noContentUrl, "--events", "account.added,income.added", "--expect", "200,204"]);
    expectExit(accepted, 0);
    expect(noContentRequests).toBe(2);
    expect(accepted.stdout).toMatch(/pass\s+account\.added\s+204/);
    expect(accepted.stdout).toContain("2 passed, 0 failed (expected 200,204");

    const acceptedLater = await server(() => ({ status: 202 }));
    const refused = await smoke(["--to", acceptedLater.url, "--events", "account.added", "--expect", "200,204"]);
    expectExit(refused, 1);
    expect(refused.stdout).toMatch(/FAIL\s+account\.added\s+202/);
    expect(expectOneLineError(refused.stderr)).toBe("error: smoke test failed: 1 of 1 check(s) did not get 200,204");
  });

  it("--expect 4xx passes a 401, for a handler that must refuse", async () => {
    const refusing = await server(() => ({ status: 401 }));
    const result = await smoke(["--to", refusing.url, "--events", "account.added", "--expect", "4xx"]);
    expectExit(result, 0);
  });

  it("a receiver that never answers within --timeout fails the check", async () => {
    const silent = await server(() => ({ status: 200, delayMs: 10_000 }));
    const result = await smoke(["--to", silent.url, "--events", "account.added", "--timeout", "300", "--json"]);
    expectExit(result, 1);
    const report = JSON.parse(result.stdout) as SmokeJson;
    expect(report.checks).toEqual([expect.objectContaining({ event: "account.added", passed: false, status_code: null, error: "no answer within 300 ms" })]);
  });

  it("an app that stops answering: after three checks in a row without an answer the rest are not sent, and every report says so", async () => {
    const hung = await server(() => ({ status: 200, delayMs: 10_000 }));
    const events = ["account.added", "income.added", "employment.added", "identity.added", "shifts.added"];
    const file = join(home.home, "smoke-stuck.xml");
    const started = Date.now();
    const json = await smoke(["--to", hung.url, "--events", events.join(","), "--timeout", "200", "--json"]);
    expectExit(json, 1);
    const report = JSON.parse(json.stdout) as SmokeJson;
    expect(report.checks.map((check) => check.event)).toEqual(events.slice(0, 3));
    expect(report.not_sent).toEqual(events.slice(3));
    expect(expectOneLineError(json.stderr)).toBe("error: smoke test failed: 3 of 3 check(s) did not get 2xx, and 2 were not sent: 3 in a row got no answer within 200 ms (is the app stuck?)");
    expect(hung.requests).toHaveLength(3);
    const junit = await smoke(["--to", hung.url, "--events", events.join(","), "--timeout", "200", "--output", file]);
    expectExit(junit, 1);
    expect(junit.stdout).toContain("0 passed, 3 failed, 2 not sent");
    const root = parseWellFormedXml(readFileSync(file, "utf8"));
    expect(findAll(root, "testsuite")[0]!.attributes).toMatchObject({ tests: "5", failures: "3", skipped: "2" });
    expect(findAll(root, "skipped").map((skipped) => skipped.attributes.message)).toEqual([
      "not sent: the checks before it got no answer, so the app looked stuck",
      "not sent: the checks before it got no answer, so the app looked stuck",
    ]);
    // Before, every check waited out its timeout: the five here, and all 34 at 15 s each by default.
    expect(Date.now() - started).toBeLessThan(10_000);
  });

  it("--scenario against an app that stops answering: after three deliveries in a row without an answer the rest of the scenario is not sent", async () => {
    const hung = await server(() => ({ status: 200, delayMs: 10_000 }));
    const started = Date.now();
    // time-and-attendance: ten deliveries, steps 7 and 8 together.
    const json = await smoke(["--to", hung.url, "--scenario", "time-and-attendance", "--timeout", "200", "--json"]);
    expectExit(json, 1);
    const report = JSON.parse(json.stdout) as SmokeJson;
    expect(report.checks.map((check) => check.name)).toEqual(["1. step 1 account.added", "2. step 2 employment.added", "3. step 3 identity.added"]);
    expect(report.not_sent).toHaveLength(7);
    expect(report.not_sent[0]).toBe("4. step 4 shifts.added");
    expect(expectOneLineError(json.stderr)).toBe("error: smoke test failed: 3 of 3 check(s) did not get 2xx, and 7 were not sent: 3 in a row got no answer within 200 ms (is the app stuck?)");
    expect(hung.requests).toHaveLength(3);
    expect(Date.now() - started).toBeLessThan(10_000);
  });

  it("a 200 whose answer breaks off fails the check: Pinwheel would count the attempt as failed", async () => {
    const cutShort = createNetServer((socket) => {
      socket.on("error", () => {});
      socket.once("data", () => socket.end("HTTP/1.1 200 OK\r\ncontent-length: 100\r\n\r\nshort"));
    });
    await new Promise<void>((resolve) => cutShort.listen(0, "127.0.0.1", resolve));
    try {
      const url = `http://127.0.0.1:${(cutShort.address() as AddressInfo).port}/`;
      const result = await smoke(["--to", url, "--events", "account.added", "--json"]);
      expectExit(result, 1);
      const report = JSON.parse(result.stdout) as SmokeJson;
      expect(report.checks).toEqual([expect.objectContaining({ passed: false, status_code: 200, error: "UND_ERR_SOCKET: other side closed" })]);
      // The table says why a 200 failed.
      const table = await smoke(["--to", url, "--events", "account.added"]);
      expectExit(table, 1);
      expect(table.stdout).toMatch(/FAIL\s+account\.added\s+200, then UND_ERR_SOCKET: other side closed/);
    } finally {
      await new Promise((resolve) => cutShort.close(resolve));
    }
  });
});

describe("smoke stopped by Ctrl+C or SIGTERM (a CI job's timeout)", () => {
  /** Runs smoke until `sent` requests have arrived, then sends `signal`; resolves with its exit code and output. */
  async function stopAfter(sent: number, signal: NodeJS.Signals, args: string[], requests: () => number) {
    const child = spawn(process.execPath, [CLI_PATH, "smoke", ...args, "--secret", SECRET], { cwd: REPO_ROOT, env: home.env });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (chunk: Buffer) => (stdout += chunk.toString("utf8")));
    child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString("utf8")));
    const closed = new Promise<number | null>((resolve) => child.once("close", resolve));
    await waitUntil(() => requests() === sent, 30_000);
    child.kill(signal);
    return { code: await closed, stdout, stderr };
  }

  for (const [signal, code, line] of STOP_SIGNALS) {
    it(`on ${signal}, --output still gets a JUnit report: the checks judged, an error for the one in flight, the rest skipped`, async () => {
      // Two answers, then none: the third check is in flight when the signal comes.
      const app = await server((index) => (index < 2 ? { status: 200 } : { status: 200, delayMs: 120_000 }));
      const events = ["account.added", "income.added", "employment.added", "identity.added", "shifts.added"];
      const file = join(home.home, "reports", `stopped-${signal}.xml`);
      const stopped = await stopAfter(3, signal, ["--to", app.url, "--events", events.join(","), "--output", file], () => app.requests.length);
      expect(stopped.code).toBe(code);
      expect(stopped.stderr.trim().split("\n").at(-1)).toBe(
        `${line} after 2 of 5 deliveries (2 2xx, 0 failed); 1 abandoned in flight, 2 not sent; every attempt made is recorded (pinwheel-cli deliveries list); ` +
          `JUnit report of the checks so far written to ${file}`,
      );
      const root = parseWellFormedXml(readFileSync(file, "utf8"));
      expect(findAll(root, "testsuite")[0]!.attributes).toMatchObject({ tests: "5", failures: "0", errors: "1", skipped: "2" });
      expect(findAll(root, "testcase").map((testcase) => testcase.attributes.name)).toEqual(events);
      expect(findAll(root, "error").map((error) => error.attributes.message)).toEqual([`${line} during this check`]);
      expect(findAll(root, "skipped").map((skipped) => skipped.attributes.message)).toEqual([`not run: ${line} before it`, `not run: ${line} before it`]);
    }, 60_000);
  }

  it("with --json, the report of the checks judged, what it stopped during and what it did not run; a scenario names its steps", async () => {
    const app = await server((index) => (index < 2 ? { status: 200 } : { status: 200, delayMs: 120_000 }));
    // time-and-attendance: ten deliveries, steps 7 and 8 together.
    const stopped = await stopAfter(3, "SIGTERM", ["--to", app.url, "--scenario", "time-and-attendance", "--json"], () => app.requests.length);
    expect(stopped.code).toBe(143);
    const report = JSON.parse(stopped.stdout) as SmokeJson & { interrupted: string; stopped_during: string[]; not_run: string[] };
    expect(report.interrupted).toBe("terminated (SIGTERM)");
    expect(report.checks.map((check) => check.name)).toEqual(["1. step 1 account.added", "2. step 2 employment.added"]);
    expect(report.stopped_during).toEqual(["3. step 3 identity.added"]);
    expect(report.not_run).toHaveLength(7);
    expect(report.not_run[0]).toBe("step 4 shifts.added");
  }, 60_000);
});

describe("smoke's failure line names the usual cause", () => {
  it("nothing listening, a redirect, a refused signature; with --expect 4xx a status is not read as a refusal", async () => {
    const closed = createNetServer();
    await new Promise<void>((resolve) => closed.listen(0, "127.0.0.1", resolve));
    const { port } = closed.address() as AddressInfo;
    await new Promise((resolve) => closed.close(resolve));
    const down = await smoke(["--to", `http://127.0.0.1:${port}/webhooks`, "--events", "income.added"]);
    expectExit(down, 1);
    expect(expectOneLineError(down.stderr)).toBe(
      `error: smoke test failed: 1 of 1 check(s) did not get 2xx; nothing is listening at http://127.0.0.1:${port}/webhooks (is your app, or "pinwheel-cli listen", running there?)`,
    );
    const moved = await server(statusesOf(301));
    const redirected = await smoke(["--to", moved.url, "--events", "income.added"]);
    expect(expectOneLineError(redirected.stderr)).toMatch(/did not get 2xx; the app answered with a redirect: .*\(register the URL it redirects to: a trailing slash\? https\?\)$/);
    const refusing = await server(statusesOf(401));
    expect(expectOneLineError((await smoke(["--to", refusing.url, "--events", "income.added"])).stderr)).toMatch(/; the receiver refused the signature/);
    const accepting = await server(statusesOf(200));
    expect(expectOneLineError((await smoke(["--to", accepting.url, "--events", "income.added", "--expect", "4xx"])).stderr)).toBe(
      "error: smoke test failed: 1 of 1 check(s) did not get 4xx",
    );
  });
});

describe("smoke --json", () => {
  it("prints one JSON document with every check, also when one fails", async () => {
    const target = await server(failing("shifts.added"));
    const result = await smoke(["--to", target.url, "--json"]);
    expectExit(result, 1);
    const report = JSON.parse(result.stdout) as SmokeJson;
    expect(report).toMatchObject({ url: target.url, expect: ["2xx"], passed: EVENT_NAMES.length - 1, failed: 1 });
    expect(report.checks.map((check) => check.event)).toEqual([...EVENT_NAMES]);
    const sentIds = target.requests.map((r) => eventOf(r).event_id);
    expect(report.checks.map((check) => check.event_id)).toEqual(sentIds);
    for (const check of report.checks) {
      const failed = check.event === "shifts.added";
      expect(check).toMatchObject({ name: check.event, passed: !failed, status_code: failed ? 500 : 200, error: null });
      expect(check.duration_ms).toBeGreaterThan(0);
    }
  });
});

describe("smoke --reporter junit", () => {
  function suiteOf(root: XmlElement): XmlElement {
    expect(root.name).toBe("testsuites");
    const suites = findAll(root, "testsuite");
    expect(suites).toHaveLength(1);
    return suites[0]!;
  }

  it("--output writes JUnit XML with one testcase per event; the table still prints", async () => {
    const target = await server();
    const file = join(home.home, "smoke-pass.xml");
    const result = await smoke(["--to", target.url, "--reporter", "junit", "--output", file]);
    expectExit(result, 0);
    const root = parseWellFormedXml(readFileSync(file, "utf8"));
    const suite = suiteOf(root);
    const cases = findAll(root, "testcase");
    expect(cases.map((c) => c.attributes.name)).toEqual([...EVENT_NAMES]);
    expect(cases.every((c) => c.attributes.classname === "pinwheel-cli.smoke.events")).toBe(true);
    expect(cases.every((c) => /^\d+\.\d{3}$/.test(c.attributes.time ?? ""))).toBe(true);
    expect(findAll(root, "failure")).toHaveLength(0);
    expect(suite.attributes).toMatchObject({ tests: String(EVENT_NAMES.length), failures: "0", errors: "0" });
    expect(root.attributes).toMatchObject({ tests: String(EVENT_NAMES.length), failures: "0" });
    expect(result.stdout).toContain(`${EVENT_NAMES.length} passed, 0 failed`);
    expect(result.stderr).toContain(`JUnit report written to ${file}`);
  });

  it("a failing check becomes <failure message=...> naming the expectation and the answer", async () => {
    const target = await server(failing("paystubs.added"));
    const file = join(home.home, "smoke-fail.xml");
    const result = await smoke(["--to", target.url, "--reporter", "junit", "--output", file]);
    expectExit(result, 1);
    const root = parseWellFormedXml(readFileSync(file, "utf8"));
    expect(suiteOf(root).attributes).toMatchObject({ tests: String(EVENT_NAMES.length), failures: "1" });
    const cases = findAll(root, "testcase");
    expect(cases).toHaveLength(EVENT_NAMES.length);
    const failed = cases.filter((c) => c.children.some((child) => child.name === "failure"));
    expect(failed.map((c) => c.attributes.name)).toEqual(["paystubs.added"]);
    const failure = failed[0]!.children[0]!;
    expect(failure.attributes.message).toBe("expected 2xx, got 500");
    const sentId = eventOf(target.requests[EVENT_NAMES.indexOf("paystubs.added")]!).event_id;
    expect(failure.text).toContain(`event_id ${sentId}`);
    expect(failure.text).toContain(`POST ${target.url}`);
    expect(failure.text).toContain('answer: {"recorded":');
  });

  it("escapes whatever the endpoint answered", async () => {
    const nasty = createServer((request, response) => {
      request.resume();
      request.on("end", () => {
        response.writeHead(500, { "content-type": "text/html" });
        response.end(`<html a="b">Tom & "Jerry" <'script'> ]]> \u0001\u0008 </html>`);
      });
    });
    rawServers.push(nasty);
    await new Promise<void>((resolve) => nasty.listen(0, "127.0.0.1", resolve));
    const { port } = nasty.address() as { port: number };
    const file = join(home.home, "smoke-escaped.xml");
    const result = await smoke(["--to", `http://127.0.0.1:${port}/`, "--events", "account.added", "--reporter", "junit", "--output", file]);
    expectExit(result, 1);
    const root = parseWellFormedXml(readFileSync(file, "utf8"));
    const [failure] = findAll(root, "failure");
    expect(failure!.text).toContain(`<html a="b">Tom & "Jerry" <'script'> ]]>`);
  });

  it("--output alone writes the JUnit report (it is what --output is for), and every check carries a webhook id", async () => {
    const target = await server();
    const file = join(home.home, "implied.xml");
    const result = await smoke(["--to", target.url, "--events", "account.added,income.added", "--output", file]);
    expectExit(result, 0);
    const root = parseWellFormedXml(readFileSync(file, "utf8"));
    expect(findAll(root, "testcase")).toHaveLength(2);
    expect(target.requests.every((r) => /^[0-9a-f-]{36}$/.test(String(r.headers["x-pinwheel-webhook-id"])))).toBe(true);
    const both = await smoke(["--to", target.url, "--events", "account.added", "--output", file, "--json"]);
    expectExit(both, 2);
    expect(expectOneLineError(both.stderr)).toMatch(/--output writes the JUnit XML report; for JSON, redirect stdout/);
    expectExit(await smoke(["--to", target.url, "--events", "account.added", "--output", file, "--reporter", "json"]), 2);
    // Two reports for stdout: refused, not one of them silently.
    const junitAndJson = await smoke(["--to", target.url, "--events", "account.added", "--reporter", "junit", "--json"]);
    expectExit(junitAndJson, 2);
    expect(expectOneLineError(junitAndJson.stderr)).toMatch(/--json and --reporter junit both choose what is printed; pick one/);
  });

  it("--speed without --scenario is a usage error rather than ignored", async () => {
    const target = await server();
    const result = await smoke(["--to", target.url, "--events", "account.added", "--speed", "5"]);
    expectExit(result, 2);
    expect(expectOneLineError(result.stderr)).toContain("--speed scales a scenario's delays; it goes with --scenario <name>");
    expect(target.requests).toEqual([]);
  });

  it("--output into a directory that does not exist makes it, as a CI job's reports/ directory needs", async () => {
    const target = await server();
    const file = join(home.home, "reports", "pinwheel", "smoke.xml");
    const result = await smoke(["--to", target.url, "--events", "account.added", "--output", file]);
    expectExit(result, 0);
    expect(findAll(parseWellFormedXml(readFileSync(file, "utf8")), "testcase").map((c) => c.attributes.name)).toEqual(["account.added"]);
  });

  it("--output that cannot be written is refused before anything is sent: a directory (exit 2), a file where a directory must go (exit 1)", async () => {
    const target = await server();
    const directory = join(home.home, "reports-dir");
    mkdirSync(directory);
    const intoDirectory = await smoke(["--to", target.url, "--events", "account.added", "--output", directory]);
    expectExit(intoDirectory, 2);
    expect(expectOneLineError(intoDirectory.stderr)).toContain(`--output: ${directory} is a directory; name the report file`);
    const notADirectory = join(home.home, "a-file");
    writeFileSync(notADirectory, "");
    const underAFile = await smoke(["--to", target.url, "--events", "account.added", "--output", join(notADirectory, "sub", "smoke.xml")]);
    expectExit(underAFile, 1);
    expect(expectOneLineError(underAFile.stderr)).toContain(`cannot create ${join(notADirectory, "sub")} for the JUnit report`);
    const besideAFile = await smoke(["--to", target.url, "--events", "account.added", "--output", join(notADirectory, "smoke.xml")]);
    expectExit(besideAFile, 1);
    expect(expectOneLineError(besideAFile.stderr)).toContain(`cannot write the JUnit report into ${notADirectory}: it is not a directory`);
    expect(target.requests).toEqual([]);
  });

  it("without --output, stdout is the XML alone and the table goes to stderr", async () => {
    const target = await server();
    const result = await smoke(["--to", target.url, "--events", "account.added,income.added", "--reporter", "junit"]);
    expectExit(result, 0);
    const root = parseWellFormedXml(result.stdout);
    expect(findAll(root, "testcase").map((c) => c.attributes.name)).toEqual(["account.added", "income.added"]);
    expect(result.stderr).toContain("2 passed, 0 failed");
  });

  it("--scenario: one testcase per delivery, duplicates and resends included", async () => {
    const target = await server();
    const file = join(home.home, "smoke-scenario.xml");
    const result = await smoke(["--to", target.url, "--scenario", "at-least-once", "--speed", "1000", "--reporter", "junit", "--output", file]);
    expectExit(result, 0);
    const root = parseWellFormedXml(readFileSync(file, "utf8"));
    const names = findAll(root, "testcase").map((c) => c.attributes.name);
    expect(names).toEqual([
      "1. step 1 account.added",
      "2. step 2 paystubs.seven_days_synced",
      "3. step 2 paystubs.seven_days_synced (duplicate)",
      "4. step 4 paystubs.ninety_days_synced",
      "5. step 3 paystubs.thirty_days_synced",
      "6. step 5 paystubs.seven_days_synced (resend)",
      "7. step 6 paystubs.fully_synced",
      "8. step 7 account.added (resend)",
    ]);
    expect(findAll(root, "testcase").every((c) => c.attributes.classname === "pinwheel-cli.smoke.at-least-once")).toBe(true);
    expect(target.requests.map((r) => eventOf(r).event)).toEqual([
      "account.added",
      "paystubs.seven_days_synced",
      "paystubs.seven_days_synced",
      "paystubs.ninety_days_synced",
      "paystubs.thirty_days_synced",
      "paystubs.seven_days_synced",
      "paystubs.fully_synced",
      "account.added",
    ]);
  });
});

// Each test spawns the CLI three or four times; on two busy cores that takes a while.
describe("smoke and scenarios: the end_user_id a handler can recognise", { timeout: 60_000 }, () => {
  const endUsers = (target: { requests: RecordedRequest[] }) =>
    new Set(target.requests.map((r) => (JSON.parse(r.body.toString("utf8")) as { payload: { end_user_id?: string } }).payload.end_user_id));

  it("without one, says in the summary that the handler acknowledged end users it cannot know", async () => {
    const target = await server();
    const result = await smoke(["--to", target.url, "--events", "income.added,account.added", "--json"]);
    expectExit(result, 0);
    expect(JSON.parse(result.stdout)).toMatchObject({ passed: 2, end_user_id: null, unrecognised_end_user_acknowledged: true });
    expect(result.stderr).toMatch(/warning: your handler answered 2xx to all 2 deliveries, though their end_user_id is one pinwheel-cli made up/);
    expect(result.stderr).toContain("--end-user-id");
  });

  it("takes --end-user-id, then config set end-user-id, into every event, and then has nothing to say", async () => {
    const target = await server();
    const flagged = await smoke(["--to", target.url, "--events", "income.added,verification_reports.refreshed", "--end-user-id", "user_known_1", "--json"]);
    expectExit(flagged, 0);
    expect(JSON.parse(flagged.stdout)).toMatchObject({ end_user_id: "user_known_1", unrecognised_end_user_acknowledged: false });
    expect(flagged.stderr).not.toMatch(/warning/);
    expect(endUsers(target)).toEqual(new Set(["user_known_1"]));

    const configHome = tempHome();
    try {
      expectExit(await runCli(["config", "set", "end-user-id", "user_from_config"], { env: configHome.env }), 0);
      const scenarioTarget = await server();
      const played = await runCli(["simulate", "--scenario", "paystubs-sync", "--speed", "1000", "--to", scenarioTarget.url, "--secret", SECRET], { env: configHome.env });
      expectExit(played, 0);
      expect(endUsers(scenarioTarget)).toEqual(new Set(["user_from_config"]));
      expect(played.stderr).not.toMatch(/warning: your handler answered 2xx/);
    } finally {
      configHome.cleanup();
    }
  });

  it("a scenario without one warns too, and not when the handler refused something", async () => {
    const target = await server();
    const played = await runCli(["simulate", "--scenario", "paystubs-sync", "--speed", "1000", "--to", target.url, "--secret", SECRET], { env: home.env });
    expectExit(played, 0);
    expect(played.stderr).toMatch(/warning: your handler answered 2xx to all \d+ deliveries/);
    expect([...endUsers(target)].every((id) => id?.startsWith("user_"))).toBe(true);

    const refusing = await server(statusesOf(200, 401));
    const failed = await smoke(["--to", refusing.url, "--events", "income.added,account.added"]);
    expectExit(failed, 1);
    expect(failed.stderr).not.toMatch(/warning: your handler answered/);
  });
});

describe("the end_user_id warning and pinwheel-cli's own listen", { timeout: 60_000 }, () => {
  it("says nothing when listen answered: it looks no end user up, so its 2xx tests no handler", async () => {
    const listenHome = tempHome();
    const listener = await startListen(["--secret", SECRET], listenHome.env);
    try {
      const smoked = await smoke(["--to", listener.url, "--events", "income.added,account.added", "--json"]);
      expectExit(smoked, 0);
      expect(JSON.parse(smoked.stdout)).toMatchObject({ passed: 2, end_user_id: null, unrecognised_end_user_acknowledged: false });
      expect(smoked.stderr).not.toMatch(/warning: your handler answered/);

      const played = await runCli(["simulate", "--scenario", "paystubs-sync", "--speed", "1000", "--to", listener.url, "--secret", SECRET], { env: home.env });
      expectExit(played, 0);
      expect(played.stderr).not.toMatch(/warning: your handler answered/);
    } finally {
      await listener.stop();
      listenHome.cleanup();
    }
  });
});

describe("smoke --scenario plays the scenario as simulate does", () => {
  it("keeps a concurrent step in flight with the next one (time-and-attendance steps 7 and 8)", async () => {
    // Delivery 7 (0-based 6) is answered only once delivery 8 has arrived (or after 5 s): if 8
    // waited for 7's answer, 7 would be alone in flight when 8 came.
    const target = await server((index) => (index === 6 ? { status: 200, holdUntil: 8, delayMs: 5_000 } : { status: 200 }));
    const result = await smoke(["--to", target.url, "--scenario", "time-and-attendance", "--speed", "1000", "--json"]);
    expectExit(result, 0);
    expect(target.requests).toHaveLength(10);
    const events = target.requests.map((r) => eventOf(r).event);
    expect(new Set(events.slice(6, 8))).toEqual(new Set(["shifts.ninety_days_synced", "shifts.fully_synced"]));
    expect(target.requests[7]!.inFlight, "the concurrent step's successor waited for its answer").toBe(2);
  });
});

describe("smoke usage errors (exit 2, one line)", () => {
  it("no --to, an unknown event, --events with --scenario, a bad --expect", async () => {
    const [noTo, unknown, both, badExpect] = await Promise.all([
      smoke([]),
      smoke(["--to", "http://127.0.0.1:9/", "--events", "account.added,paystubs.fuly_synced"]),
      smoke(["--to", "http://127.0.0.1:9/", "--events", "account.added", "--scenario", "paystubs-sync"]),
      smoke(["--to", "http://127.0.0.1:9/", "--expect", "2xz"]),
    ]);
    for (const result of [noTo, unknown, both, badExpect]) expectExit(result, 2);
    expect(expectOneLineError(noTo.stderr)).toMatch(/--to <url> is required/);
    expect(expectOneLineError(unknown.stderr)).toMatch(/did you mean "paystubs\.fully_synced"/);
    expect(expectOneLineError(both.stderr)).toMatch(/--events or --scenario, not both/);
    expect(expectOneLineError(badExpect.stderr)).toMatch(/2xz/);
  });
});
