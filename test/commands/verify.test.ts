/**
 * `pinwheel-cli verify` through the BUILT binary (npm run build first): one case per usual
 * handler mistake, each of which must be named; stored requests from a real `listen`.
 */
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { signWebhook } from "../../src/signing.js";
import { runCli, startListen, tempHome, type CliResult, type Listener, type TempHome } from "../helpers/cli.js";

const SECRET = "sk_verify_cli_4d1e8b";
const EVENT = {
  event: "paystubs.fully_synced",
  event_id: "5a141122-4235-4fa1-bd76-0628573880b0",
  payload: { name: "paystubs", params: { from_pay_date: "2024-01-01", to_pay_date: "2026-11-20", count: 53 } },
};
const COMPACT = JSON.stringify(EVENT);
const PRETTY = JSON.stringify(EVENT, null, 2);

interface Report {
  valid: boolean;
  reason: string | null;
  summary: string;
  secret_source: string;
  request: { id: number } | null;
  diagnoses: { code: string; matched: boolean; message: string }[];
}

let home: TempHome;
let bodyFiles: { compact: string; pretty: string; compactWithNewline: string };

beforeAll(() => {
  home = tempHome();
  bodyFiles = {
    compact: join(home.home, "compact.json"),
    pretty: join(home.home, "pretty.json"),
    compactWithNewline: join(home.home, "compact-newline.json"),
  };
  writeFileSync(bodyFiles.compact, COMPACT);
  writeFileSync(bodyFiles.pretty, PRETTY);
  writeFileSync(bodyFiles.compactWithNewline, `${COMPACT}\n`);
});

afterAll(() => home.cleanup());

function describeRun(result: CliResult): string {
  return `exit ${result.code}\nstdout: ${result.stdout}\nstderr: ${result.stderr}`;
}

/** Runs verify --json and returns the report, the exit code and every byte printed. */
async function verify(args: string[], env: NodeJS.ProcessEnv = home.env, input?: string) {
  const result = await runCli(["verify", ...args, "--json"], { env, input });
  expect(result.timedOut).toBe(false);
  let report: Report;
  try {
    report = JSON.parse(result.stdout) as Report;
  } catch {
    throw new Error(`verify printed no JSON report\n${describeRun(result)}`);
  }
  return { result, report, matched: report.diagnoses.filter((d) => d.matched).map((d) => d.code), printed: result.stdout + result.stderr };
}

function flags(body: string, signedBody: string, options: { timestamp?: string; signedTimestamp?: number; signedSecret?: string } = {}) {
  const t = options.signedTimestamp ?? Math.floor(Date.now() / 1000);
  return ["--body", body, "--signature", signWebhook(options.signedSecret ?? SECRET, t, signedBody), "--timestamp", options.timestamp ?? String(t)];
}

describe("verify with --body, --signature and --timestamp", () => {
  it("exits 0 for a valid request, in words and in JSON", async () => {
    const text = await runCli(["verify", ...flags(bodyFiles.compact, COMPACT), "--secret", SECRET], { env: home.env });
    expect(text.code, describeRun(text)).toBe(0);
    expect(text.stdout).toMatch(/^valid: the signature matches, and x-timestamp is \d+ s behind this machine's clock/);

    const { result, report } = await verify([...flags(bodyFiles.compact, COMPACT), "--secret", SECRET]);
    expect(result.code).toBe(0);
    expect(report).toMatchObject({ valid: true, reason: null, secret_source: "flag" });
  });

  it("names a body re-serialized by a framework, and exits 1", async () => {
    const { result, report, matched } = await verify([...flags(bodyFiles.compact, PRETTY), "--secret", SECRET]);
    expect(result.code, describeRun(result)).toBe(1);
    expect(report.reason).toBe("bad_signature");
    expect(matched).toEqual(["body_reserialized"]);
    expect(report.diagnoses[1]!.message).toMatch(/re-serialized with 2-space indentation: your framework parsed the JSON before you verified it/);
    expect(result.stderr).toMatch(/^error: the signature check fails: 1 likely cause in diagnoses\n$/);
  });

  it("says it in words without --json", async () => {
    const result = await runCli(["verify", ...flags(bodyFiles.pretty, COMPACT), "--secret", SECRET], { env: home.env });
    expect(result.code).toBe(1);
    expect(result.stdout).toMatch(/^invalid \(bad_signature\): signature does not match the body and timestamp\.\n\nWhy\n {2}✗ The signature matches the body re-serialized compact \(no spaces\)/);
    expect(result.stdout).toContain("Checked\n  - The signature is well formed");
  });

  it("an unusable x-timestamp: the last line says what is wrong with it, alone or beside a malformed signature", async () => {
    const decimal = await runCli(["verify", ...flags(bodyFiles.compact, COMPACT, { timestamp: "1796280388.0" }), "--secret", SECRET], { env: home.env });
    expect(decimal.code, describeRun(decimal)).toBe(1);
    expect(decimal.stderr).toBe('error: the timestamp check fails: x-timestamp must be Unix seconds as digits, got "1796280388.0"\n');

    const both = await runCli(["verify", "--body", bodyFiles.compact, "--signature", "abc", "--timestamp", "notanumber", "--secret", SECRET], { env: home.env });
    expect(both.code, describeRun(both)).toBe(1);
    expect(both.stdout).toMatch(/^invalid \(malformed_signature\): .*\. Also, x-timestamp is "notanumber"\. Pinwheel sends x-timestamp as Unix seconds/);
    expect(both.stderr).toBe('error: the signature check fails: 1 likely cause above; x-timestamp "notanumber" is not Unix seconds in digits either\n');
    const json = await verify(["--body", bodyFiles.compact, "--signature", "abc", "--timestamp", "notanumber", "--secret", SECRET]);
    expect(json.report.summary).toContain('Also, x-timestamp is "notanumber".');
  });

  it("names a trailing newline an editor added to the saved body", async () => {
    const { result, matched } = await verify([...flags(bodyFiles.compactWithNewline, COMPACT), "--secret", SECRET]);
    expect(result.code).toBe(1);
    expect(matched).toEqual(["body_trailing_newline"]);
  });

  it("names a timestamp passed in milliseconds", async () => {
    const t = Math.floor(Date.now() / 1000);
    const { result, matched } = await verify([...flags(bodyFiles.compact, COMPACT, { signedTimestamp: t, timestamp: `${t}000` }), "--secret", SECRET]);
    expect(result.code).toBe(1);
    expect(matched).toEqual(["timestamp_milliseconds"]);
  });

  it("names a secret with a trailing newline (PINWHEEL_API_SECRET from a file), without printing it", async () => {
    const env = { ...home.env, PINWHEEL_API_SECRET: `${SECRET}\n` };
    const { result, report, matched, printed } = await verify(flags(bodyFiles.compact, COMPACT), env);
    expect(result.code).toBe(1);
    expect(report.secret_source).toBe("env");
    expect(matched).toEqual(["secret_whitespace"]);
    expect(report.diagnoses.find((d) => d.matched)!.message).toMatch(/the secret from PINWHEEL_API_SECRET with a newline at the end removed/);
    expect(printed).not.toContain(SECRET);
  });

  it("names a secret wrapped in quotes", async () => {
    const { result, matched, printed } = await verify([...flags(bodyFiles.compact, COMPACT), "--secret", `"${SECRET}"`]);
    expect(result.code).toBe(1);
    expect(matched).toEqual(["secret_quotes"]);
    expect(printed).not.toContain(SECRET);
  });

  it("names the config file's api-secret when the request was signed with it", async () => {
    const configured = tempHome();
    try {
      mkdirSync(join(configured.home, "config"), { recursive: true });
      writeFileSync(join(configured.home, "config", "config.json"), JSON.stringify({ "api-secret": SECRET }));
      const { result, report, matched, printed } = await verify([...flags(bodyFiles.compact, COMPACT), "--secret", "sk_sandbox_not_this_one"], configured.env);
      expect(result.code).toBe(1);
      expect(matched).toEqual(["other_secret"]);
      expect(report.diagnoses.find((d) => d.matched)!.message).toMatch(/^The signature matches the api-secret in the config file \(.*config\.json\), not the secret from --secret/);
      expect(printed).not.toContain(SECRET);
      expect(printed).not.toContain("sk_sandbox_not_this_one");
    } finally {
      configured.cleanup();
    }
  });

  it("names pinwheel-cli's development secret when the request was sent without --secret", async () => {
    const { matched, report } = await verify([...flags(bodyFiles.compact, COMPACT, { signedSecret: "pinwheel-cli-local-dev-secret" }), "--secret", SECRET]);
    expect(matched).toEqual(["other_secret"]);
    expect(report.diagnoses.find((d) => d.matched)!.message).toMatch(/matches pinwheel-cli's built-in development secret/);
  });

  it("reports the clock difference in seconds, and takes --now for a request captured earlier", async () => {
    const t = Math.floor(Date.now() / 1000) - 900;
    const stale = await verify([...flags(bodyFiles.compact, COMPACT, { signedTimestamp: t }), "--secret", SECRET]);
    expect(stale.result.code).toBe(1);
    expect(stale.report.reason).toBe("stale_timestamp");
    expect(stale.matched).toEqual(["clock_skew"]);
    // The signature matched: what fails is the timestamp, and the last line says so.
    expect(stale.result.stderr).toMatch(/^error: the timestamp check fails: 1 likely cause in diagnoses\n$/);
    expect(stale.report.diagnoses.find((d) => d.matched)!.message).toMatch(/^x-timestamp is 9\d\d s \(about 15 minutes\) behind this machine's clock \(tolerance 300 s\)/);

    const then = await verify([...flags(bodyFiles.compact, COMPACT, { signedTimestamp: t }), "--secret", SECRET, "--now", String(t + 5)]);
    expect(then.result.code).toBe(0);

    const text = await runCli(["verify", ...flags(bodyFiles.compact, COMPACT, { signedTimestamp: t }), "--secret", SECRET], { env: home.env });
    expect(text.stderr).toContain("Pass --now <when it was received>");
  });

  it("reads the body from stdin with --body -", async () => {
    const { result } = await verify([...flags("-", COMPACT), "--secret", SECRET], home.env, COMPACT);
    expect(result.code, describeRun(result)).toBe(0);
  });

  it("refuses incomplete input with one usage line (exit 2)", async () => {
    const missing = await runCli(["verify", "--body", bodyFiles.compact], { env: home.env });
    expect(missing.code).toBe(2);
    expect(missing.stderr).toBe(
      "error: verify needs --body, --signature and --timestamp (missing --signature, --timestamp), or the id of a stored request: pinwheel-cli verify 42\n",
    );
    const both = await runCli(["verify", "1", ...flags(bodyFiles.compact, COMPACT)], { env: home.env });
    expect(both.code).toBe(2);
    expect(both.stderr).toMatch(/^error: pass either a stored request id or --body\/--signature\/--timestamp, not both/);
  });

  it("a --body file that cannot be read is failed work (exit 1), as the README's exit codes say", async () => {
    const unreadable = await runCli(["verify", ...flags(join(home.home, "nope.json"), COMPACT)], { env: home.env });
    expect(unreadable.code).toBe(1);
    expect(unreadable.stderr).toMatch(/^error: --body .*nope\.json: cannot read it \(ENOENT/);
  });
});

describe("verify <id> for a request stored by listen", () => {
  const LISTEN_SECRET = "sk_listen_side_91c2";
  let listener: Listener | undefined;
  let store: TempHome;

  beforeAll(() => {
    store = tempHome();
    // The app's other secret, from `config set api-secret`: the one the sender used.
    mkdirSync(join(store.home, "config"), { recursive: true });
    writeFileSync(join(store.home, "config", "config.json"), JSON.stringify({ "api-secret": SECRET }));
  });
  afterEach(async () => {
    await listener?.stop();
    listener = undefined;
  });
  afterAll(() => store.cleanup());

  async function post(url: string, body: string, secret: string): Promise<void> {
    const t = Math.floor(Date.now() / 1000);
    const response = await fetch(url, {
      method: "POST",
      headers: { "content-type": "application/json", "x-pinwheel-signature": signWebhook(secret, t, body), "x-timestamp": String(t) },
      body,
    });
    await response.arrayBuffer();
  }

  it("checks the stored bytes against the time they were received, and names the secret mix-up", async () => {
    listener = await startListen(["--secret", LISTEN_SECRET], store.env);
    await post(listener.url, COMPACT, SECRET);
    await listener.waitFor((line) => (line as { event_id?: string }).event_id === EVENT.event_id);
    await post(listener.url, COMPACT.replace(EVENT.event_id, "7b3cbe1c-5b0e-4ac1-9d1a-3c2b1a0f9e8d"), LISTEN_SECRET);
    await listener.waitFor((line) => (line as { event_id?: string }).event_id === "7b3cbe1c-5b0e-4ac1-9d1a-3c2b1a0f9e8d");
    await listener.stop();

    const rejected = await verify([EVENT.event_id, "--secret", LISTEN_SECRET], store.env);
    expect(rejected.result.code, describeRun(rejected.result)).toBe(1);
    expect(rejected.report.request).toMatchObject({ id: 1 });
    expect(rejected.matched).toEqual(["other_secret"]);
    expect(rejected.report.diagnoses.find((d) => d.code === "clock_skew")!.message).toMatch(/behind the time it was received \(/);
    expect(rejected.printed).not.toContain(SECRET);

    const accepted = await verify(["2", "--secret", LISTEN_SECRET], store.env);
    expect(accepted.result.code, describeRun(accepted.result)).toBe(0);
    expect(accepted.report.valid).toBe(true);
  });

  it("prints a stored event_id's control characters escaped: whoever sent the request chose them", async () => {
    listener = await startListen(["--secret", LISTEN_SECRET], store.env);
    const eventId = "e\u001b[2Jid";
    await post(listener.url, COMPACT.replace(EVENT.event_id, JSON.stringify(eventId).slice(1, -1)), LISTEN_SECRET);
    await listener.waitFor((line) => (line as { event_id?: string }).event_id === eventId);
    await listener.stop();
    const result = await runCli(["verify", eventId, "--secret", LISTEN_SECRET], { env: store.env });
    expect(result.code, describeRun(result)).toBe(0);
    expect(result.stdout).not.toContain("\u001b");
    expect(result.stdout).toContain("(event_id e\\x1b[2Jid)");
  });

  it("says so when there is no such stored request (exit 1)", async () => {
    const result = await runCli(["verify", "999"], { env: store.env });
    expect(result.code).toBe(1);
    expect(result.stderr).toBe('error: no stored request with id or event_id "999"; see "pinwheel-cli events list"\n');
  });
});
