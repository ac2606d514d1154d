/**
 * Credentials in a URL (--to http://user:secret@host/) through the BUILT binary: sent as HTTP
 * Basic, never printed, stored or served to the inspector page.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { request } from "undici";
import { describe, expect, it } from "vitest";
import { buildEvent } from "../../src/events/build.js";
import { signedHeaders } from "../../src/signing.js";
import { runCli } from "../helpers/cli.js";
import { useListenRuns } from "../helpers/listen-runs.js";
import { deliveriesList, expectExit } from "../helpers/delivery-cli.js";
import { readUntil } from "../helpers/wait.js";

const SECRET = "url-credentials-secret";
// An apostrophe: the URL parser leaves it as it is in a password, and a pattern once stopped at it.
const PASSWORD = "hunter2'in-the-url";

const run = useListenRuns();

function withCredentials(url: string): string {
  return url.replace("http://", `http://deploy:${PASSWORD}@`);
}

function databaseBytes(dir: string): string {
  const file = join(dir, "data", "events.db");
  let text = readFileSync(file).toString("latin1");
  try {
    text += readFileSync(`${file}-wal`).toString("latin1");
  } catch {
    // no WAL left after a clean close
  }
  return text;
}

describe("a URL with credentials", () => {
  it("simulate sends them as HTTP Basic, and neither prints nor records them", async () => {
    const home = run.tempHome();
    const app = await run.startApp();
    for (const json of [[], ["--json"]]) {
      const result = await runCli(["simulate", "income.added", "--to", withCredentials(app.url), "--secret", SECRET, ...json], { env: home.env });
      expectExit(result, 0);
      expect(result.stdout + result.stderr).not.toContain(PASSWORD);
      expect(result.stdout + result.stderr).toContain("http://***@127.0.0.1");
    }
    expect(app.requests[0]!.headers.authorization).toBe(`Basic ${Buffer.from(`deploy:${PASSWORD}`).toString("base64")}`);
    const attempts = await deliveriesList(home.env);
    expect(attempts.length).toBe(2);
    expect(JSON.stringify(attempts)).not.toContain(PASSWORD);
    expect(databaseBytes(home.home)).not.toContain(PASSWORD);
  });

  it("listen --forward-to neither prints, records nor serves them to the page, and replay asks for --to", async () => {
    const home = run.tempHome();
    const app = await run.startApp();
    const listener = await run.startListen(["--secret", SECRET, "--forward-to", withCredentials(app.url)], home.env);
    const body = JSON.stringify(buildEvent("income.added"));
    const response = await request(listener.url, { method: "POST", headers: signedHeaders(SECRET, body, { timestamp: Math.floor(Date.now() / 1000) }), body });
    expect(response.statusCode).toBe(200);
    await response.body.dump();
    await readUntil(async () => app.requests.length, (n) => n === 1);
    await readUntil(() => deliveriesList(home.env), (rows) => rows.length > 0);
    const page = await request(String(listener.ready.inspector_url));
    const html = await page.body.text();
    const token = /name="pinwheel-inspector-token" content="([^"]+)"/.exec(html)![1]!;
    const info = await request(new URL("api/info", String(listener.ready.inspector_url)), { headers: { "x-pinwheel-inspector-token": token } });
    const infoText = await info.body.text();
    expect(infoText).toContain("***@127.0.0.1");
    expect(infoText).not.toContain(PASSWORD);
    const replayed = await runCli(["replay", "--all", "--secret", SECRET], { env: home.env });
    expectExit(replayed, 2);
    expect(replayed.stderr).toMatch(/credentials are not stored; pass --to/);
    const { stderr } = await listener.stop();
    expect(listener.stdout() + stderr + replayed.stderr).not.toContain(PASSWORD);
    expect(databaseBytes(home.home)).not.toContain(PASSWORD);
  });
});

describe("a typed URL that does not parse", () => {
  // WHATWG reads a triple slash, a missing "//" and a password's unencoded "/" all as userinfo.
  const TYPED = ["http:///user:hunter2@127.0.0.1:99999/x", "http://user:hun/ter2@127.0.0.1/x", "http:user:hunter2@127.0.0.1:99999/x"];

  it("is refused as a usage error without its password, the scheme kept, by every command that takes one", async () => {
    const home = run.tempHome();
    for (const url of TYPED) {
      const lines = [
        ["simulate", "income.added", "--to", url],
        ["listen", "--port", "0", "--forward-to", url],
        ["replay", "--all", "--to", url],
        ["config", "set", "default-url", url],
      ];
      for (const args of lines) {
        const result = await runCli(args, { env: home.env });
        expectExit(result, 2);
        expect(result.stderr, args.join(" ")).not.toMatch(/hun|user/);
        expect(result.stderr).toContain(url.startsWith("http:///") ? "http:///***@" : url.startsWith("http://") ? "http://***@" : "http:***@");
        expect(result.stderr.trim().split("\n")).toHaveLength(1);
      }
    }
  });

  it("is refused without its password from PINWHEEL_BASE_URL, and config get shows it redacted", async () => {
    const home = run.tempHome();
    for (const url of TYPED) {
      const env = { ...home.env, PINWHEEL_BASE_URL: url };
      const listed = await runCli(["webhooks", "list"], { env });
      expectExit(listed, 2);
      expect(listed.stderr).toMatch(/^error: PINWHEEL_BASE_URL: "http:[/]*\*\*\*@127\.0\.0\.1[^"]*" is not an http\(s\) URL/);
      const got = await runCli(["config", "get", "base-url"], { env });
      expectExit(got, 0);
      expect(got.stdout + got.stderr).toContain("***@127.0.0.1");
      for (const result of [listed, got]) expect(result.stdout + result.stderr).not.toMatch(/hun|user/);
    }
  });
});
