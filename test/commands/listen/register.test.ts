/**
 * listen --register and --tunnel through the BUILT binary (npm run build first), against a
 * running `pinwheel-cli mock` over real HTTP. The mock logs every request it answers, so "nothing
 * sent" and "never touched" are checked on the wire; the tunnels are stand-in programs on PATH.
 */
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { createHttpWebhooksApi, type HttpWebhooksApi } from "../../../src/api/client.js";
import type { Webhook } from "../../../src/api/types.js";
import { runCli, startListen, tempHome, type Listener, type TempHome } from "../../helpers/cli.js";
import { startCliServer, type CliServer } from "../../helpers/cli-server.js";
import { expectExit, expectOneLineError, ndjson } from "../../helpers/delivery-cli.js";
import { CLOUDFLARED_URL, NGROK_URL, standIns, type StandIns } from "../../helpers/tunnel-stand-in.js";
import { waitUntil } from "../../helpers/wait.js";

// Each test starts the mock and listen, some twice; on two busy cores that takes seconds.
vi.setConfig({ testTimeout: 60_000 });

const SECRET = "listen-register-secret-0123456789";
const EVENTS = ["income.added", "paystubs.added"];

let home: TempHome;
let mock: CliServer;
let api: HttpWebhooksApi;
let fakes: StandIns | undefined;
const listeners: Listener[] = [];

beforeEach(async () => {
  home = tempHome();
  mock = await startCliServer(["mock", "--port", "0", "--json", "--secret", SECRET, "--db", join(home.home, "pinwheel.db")], home.env, 30_000);
  api = createHttpWebhooksApi({ baseUrl: mock.ready.url, secret: SECRET, apiVersion: "2025-07-08", timeoutMs: 5_000 });
});

afterEach(async () => {
  await Promise.all(listeners.splice(0).map((listener) => listener.stop("SIGKILL")));
  await api.close();
  await mock.stop();
  fakes?.cleanup();
  fakes = undefined;
  home.cleanup();
});

interface MockRequest {
  method: string;
  path: string;
  status_code: number;
}

/** What the mock answered so far, as "METHOD path status" (query strings dropped). */
function wire(): string[] {
  return (mock.lines() as MockRequest[]).map((entry) => `${entry.method} ${entry.path.replace(/\?.*$/, "")} ${entry.status_code}`);
}

function registerArgs(url: string, ...more: string[]): string[] {
  return ["--secret", SECRET, "--register", "sandbox", "--base-url", mock.ready.url, "--public-url", url, ...more];
}

async function listen(args: string[], env = home.env): Promise<Listener> {
  // A generous ready timeout: these tests start listen many times on a machine shared with other suites.
  const listener = await startListen(args, env, 30_000);
  listeners.push(listener);
  return listener;
}

/**
 * Stops listen with the signal and waits for it to exit: deleting the webhook is an HTTP call, and
 * on a loaded machine that can outlast the shared helper's 5 s before SIGKILL.
 */
async function stop(listener: Listener, signal: NodeJS.Signals = "SIGTERM"): Promise<{ code: number | null; stderr: string }> {
  const child = listener.process;
  if (child.exitCode === null && child.signalCode === null) {
    const closed = new Promise((resolve) => child.once("close", resolve));
    child.kill(signal);
    await Promise.race([closed, new Promise((resolve) => setTimeout(resolve, 45_000))]);
  }
  return listener.stop(signal);
}

/** runCli with room for a slow start on a loaded machine. */
function run(args: string[], env = home.env) {
  return runCli(args, { env, timeoutMs: 60_000 });
}

interface WebhookLine {
  type: "webhook";
  action: "created" | "reused";
  id: string;
  url: string;
  enabled_events: string[];
  owned: boolean;
  deleted: { id: string; url: string }[];
  environment: string;
  verifies_for: string | null;
}

function webhookLine(listener: Listener): Promise<WebhookLine> {
  return listener.waitFor((line) => (line as { type?: string }).type === "webhook", 20_000) as Promise<WebhookLine>;
}

async function remaining(): Promise<Webhook[]> {
  return (await api.list({ limit: 100 })).data;
}

/** A webhook made outside listen (the dashboard, a script). */
function foreign(url: string, events = EVENTS): Promise<Webhook> {
  return api.create({ url, status: "active", enabled_events: events, version: "2025-07-08" });
}

describe("listen --register sandbox (against the mock)", () => {
  for (const signal of ["SIGTERM", "SIGINT"] as const) {
    it(`registers the public URL on start and deletes the webhook on ${signal}`, async () => {
      const listener = await listen(registerArgs("https://one.example/pinwheel", "--events", EVENTS.join(",")));
      const registered = await webhookLine(listener);
      expect(registered).toMatchObject({ action: "created", url: "https://one.example/pinwheel", enabled_events: EVENTS, owned: true, deleted: [], environment: "sandbox", verifies_for: "sandbox" });
      expect((await remaining()).map((webhook) => webhook.id)).toEqual([registered.id]);

      const { code, stderr } = await stop(listener, signal);
      // Ctrl+C ends every command with 130 (README's exit codes); SIGTERM is a normal stop.
      expect(code, stderr).toBe(signal === "SIGINT" ? 130 : 0);
      expect(listener.lines()).toContainEqual({ type: "webhook_deleted", id: registered.id });
      expect(await remaining()).toEqual([]);
      expect(wire()).toContain(`DELETE /v1/webhooks/${registered.id} 200`);
    });
  }

  it("subscribes to every event by default, and verifies deliveries with the environment's secret", async () => {
    const listener = await listen(registerArgs("https://one.example/"));
    const registered = await webhookLine(listener);
    expect(registered.enabled_events).toContain("paystubs.fully_synced");
    expect(registered.enabled_events).toContain("company_connect.status.updated");
    await stop(listener, "SIGTERM");
  });

  it("--events '*' subscribes to every event, as without --events (Pinwheel's API has no wildcard)", async () => {
    const listener = await listen(registerArgs("https://one.example/", "--events", "*"));
    const registered = await webhookLine(listener);
    expect(registered.enabled_events).not.toContain("*");
    expect(registered.enabled_events).toContain("paystubs.fully_synced");
    expect(registered.enabled_events).toContain("company_connect.status.updated");
    await stop(listener, "SIGTERM");
  });

  it("with --keep leaves it; the next run reuses it without creating one, and deletes it at its own exit", async () => {
    const first = await listen(registerArgs("https://one.example/", "--keep"));
    const created = await webhookLine(first);
    expect((await stop(first, "SIGTERM")).code).toBe(0);
    expect(first.lines()).toContainEqual({ type: "webhook_kept", id: created.id });
    expect((await remaining()).map((webhook) => webhook.id)).toEqual([created.id]);

    const second = await listen(registerArgs("https://one.example/"));
    const reused = await webhookLine(second);
    expect(reused).toMatchObject({ action: "reused", id: created.id, owned: true });
    // One webhook was ever created, by the first run.
    expect(wire().filter((line) => line.startsWith("POST"))).toEqual(["POST /v1/webhooks 200"]);
    expect((await stop(second, "SIGTERM")).code).toBe(0);
    expect(await remaining()).toEqual([]);
  });

  it("deletes its own webhooks for an old URL at start and never touches webhooks it did not create", async () => {
    const theirs = await foreign("https://old.example/");
    const theirsSameUrl = await foreign("https://new.example/", ["account.added"]);
    const first = await listen(registerArgs("https://old.example/", "--keep", "--events", EVENTS.join(",")));
    // Someone else's webhook with the very same URL and events is reused, not duplicated, and not listen's.
    expect(await webhookLine(first)).toMatchObject({ action: "reused", id: theirs.id, owned: false });
    await stop(first, "SIGTERM");

    const keptOwn = await listen(registerArgs("https://older.example/", "--keep"));
    const own = await webhookLine(keptOwn);
    await stop(keptOwn, "SIGTERM");

    const second = await listen(registerArgs("https://new.example/"));
    const registered = await webhookLine(second);
    expect(registered).toMatchObject({ action: "created", deleted: [{ id: own.id, url: "https://older.example/" }] });
    expect(wire().filter((line) => line.startsWith("DELETE"))).toEqual([`DELETE /v1/webhooks/${own.id} 200`]);
    await stop(second, "SIGTERM");
    expect((await remaining()).map((webhook) => webhook.id).sort()).toEqual([theirs.id, theirsSameUrl.id].sort());
  });

  it("with ten webhooks already, none its own, exits 1 listing them and how to delete one, creating nothing", async () => {
    const taken: Webhook[] = [];
    for (let i = 0; i < 10; i++) taken.push(await foreign(`https://taken-${i}.example/`));
    const result = await run(["listen", "--port", "0", ...registerArgs("https://one.example/")], home.env);
    expectExit(result, 1);
    for (const webhook of taken) expect(result.stderr).toContain(`${webhook.id}  active  ${webhook.url}`);
    const origin = new URL(mock.ready.url).origin;
    expect(result.stderr).toContain(
      `error: Pinwheel sandbox (${origin}) already has 10 webhooks, the most one API key may have, and none is listen's own to replace; ` +
        `delete one you no longer need (listed above) with "pinwheel-cli webhooks delete ${taken[0]!.id} --base-url ${origin}/", then start listen again`,
    );
    // The mock logs an answer just after sending it: wait for listen's request to appear.
    await waitUntil(() => wire().length >= 11);
    expect(wire().filter((line) => !line.startsWith("POST"))).toEqual(["GET /v1/webhooks 200"]);
    expect(wire().filter((line) => line.startsWith("POST"))).toHaveLength(10);
  });

  it("with a wrong secret exits 1 saying which environment's secret it needs, and never prints the secret", async () => {
    const wrong = "wrong-secret-0123456789";
    const result = await run(["listen", "--port", "0", "--json", "--secret", wrong, "--register", "sandbox", "--base-url", mock.ready.url, "--public-url", "https://one.example/"], home.env);
    expectExit(result, 1);
    expect(expectOneLineError(result.stderr)).toMatch(
      /^error: Pinwheel sandbox \(http:\/\/127\.0\.0\.1:\d+\) refused the API secret from --secret \(401 invalid_api_secret: .*\); --register sandbox needs your Pinwheel sandbox API secret, which also verifies the deliveries/,
    );
    expect(result.stderr + result.stdout).not.toContain(wrong);
    await waitUntil(() => wire().length >= 1);
    expect(wire()).toEqual(["GET /v1/webhooks 401"]);
  });

  it("with no secret at all exits 2 before binding or sending, naming the environment", async () => {
    const result = await run(["listen", "--port", "0", "--register", "development", "--base-url", mock.ready.url, "--public-url", "https://one.example/"], home.env);
    expectExit(result, 2);
    expect(expectOneLineError(result.stderr)).toMatch(/^error: --register development needs your Pinwheel development API secret/);
    expect(wire()).toEqual([]);
  });

  it("refuses --register production without --yes: exit 2, nothing sent; with --yes it registers", async () => {
    const refused = await run(["listen", "--port", "0", "--secret", SECRET, "--register", "production", "--base-url", mock.ready.url, "--public-url", "https://one.example/"], home.env);
    expectExit(refused, 2);
    expect(expectOneLineError(refused.stderr)).toBe(
      "error: --register production adds a webhook to your live Pinwheel workspace; confirm with --yes (or use --register sandbox)",
    );
    expect(refused.stdout).toBe("");
    expect(wire()).toEqual([]);

    const confirmed = await listen(["--secret", SECRET, "--register", "production", "--yes", "--base-url", mock.ready.url, "--public-url", "https://one.example/"]);
    expect(await webhookLine(confirmed)).toMatchObject({ action: "created", environment: "production" });
    await stop(confirmed, "SIGTERM");
    expect(await remaining()).toEqual([]);
  });

  it("refuses an http:// public URL and flags that need --register, before binding", async () => {
    const cases: [string[], RegExp][] = [
      [registerArgs("http://one.example/"), /--public-url must start with https:\/\//],
      [["--public-url", "https://one.example/"], /--public-url is the address --register gives Pinwheel/],
      [["--keep"], /--keep goes with --register/],
      [["--secret", SECRET, "--register", "sandbox"], /--register sandbox needs a public https address: pass --public-url <https url> or --tunnel cloudflared/],
      [["--tunnel", "ngrok", ...registerArgs("https://one.example/")], /pass either --public-url or --tunnel/],
    ];
    for (const [args, message] of cases) {
      const result = await run(["listen", "--port", "0", ...args], home.env);
      expectExit(result, 2);
      expect(expectOneLineError(result.stderr)).toMatch(message);
    }
    expect(wire()).toEqual([]);
  });
});

describe("listen --register local", () => {
  it("registers listen's own address in the local registry, so simulate's fan-out reaches it", async () => {
    const listener = await listen(["--register", "local", "--events", "income.added"]);
    const registered = await webhookLine(listener);
    expect(registered).toMatchObject({ action: "created", url: listener.url, environment: "local", enabled_events: ["income.added"] });
    const sent = await run(["simulate", "income.added", "--json"], home.env);
    expectExit(sent, 0);
    const received = (await listener.waitFor((line) => (line as { type?: string }).type === "request")) as { event: string; verification: string };
    expect(received).toMatchObject({ event: "income.added", verification: "verified" });
    await stop(listener, "SIGTERM");
    const left = await run(["webhooks", "list", "--env", "local", "--json"], home.env);
    expect(JSON.parse(left.stdout)).toEqual([]);
  });
});

describe("listen --tunnel (stand-in programs on PATH)", () => {
  const withPath = (dir: string) => ({ ...home.env, PATH: dir });

  for (const [program, publicUrl] of [
    ["cloudflared", CLOUDFLARED_URL],
    ["ngrok", NGROK_URL],
  ] as const) {
    it(`starts ${program} for listen's port, registers the URL it prints, and stops both on exit`, async () => {
      fakes = standIns("works");
      const listener = await listen(["--secret", SECRET, "--register", "sandbox", "--base-url", mock.ready.url, "--tunnel", program], withPath(fakes.dir));
      const tunnel = await listener.waitFor((line) => (line as { type?: string }).type === "tunnel", 20_000);
      expect(tunnel).toEqual({ type: "tunnel", program, public_url: `${publicUrl}/`, local_url: `http://127.0.0.1:${listener.port}` });
      const registered = await webhookLine(listener);
      expect(registered.url).toBe(`${publicUrl}/`);
      expect(fakes.log(program)[0]).toContain(`http://127.0.0.1:${listener.port}`);

      expect((await stop(listener, "SIGTERM")).code).toBe(0);
      expect(fakes.log(program)).toContain("signal SIGTERM");
      expect(await remaining()).toEqual([]);
    });
  }

  it("when the program is missing, says in one line how to install it, before binding", async () => {
    fakes = standIns("works");
    const empty = join(fakes.dir, "empty-path");
    for (const [program, hint] of [
      ["cloudflared", /^error: cloudflared is not on PATH; install it \(macOS: brew install cloudflared;/],
      ["ngrok", /^error: ngrok is not on PATH; install it \(macOS: brew install ngrok;/],
    ] as const) {
      const result = await run(["listen", "--port", "0", "--json", "--tunnel", program, ...registerArgs("https://x.example/").slice(0, 6)], withPath(empty));
      expectExit(result, 1);
      expect(expectOneLineError(result.stderr)).toMatch(hint);
      expect(ndjson(result.stdout)).toEqual([]);
    }
    expect(wire()).toEqual([]);
  });

  it("when the program exits before printing a URL, stops listen with its last words and registers nothing", async () => {
    fakes = standIns("exits-early");
    const result = await run(["listen", "--port", "0", "--json", "--tunnel", "ngrok", ...registerArgs("https://x.example/").slice(0, 6)], withPath(fakes.dir));
    expectExit(result, 1);
    expect(expectOneLineError(result.stderr)).toMatch(/^error: ngrok exited \(code 1\) before printing its public URL; it said: .*ERR_NGROK_4018.*; run "ngrok config add-authtoken <token>"/);
    expect(wire()).toEqual([]);
  });
});
