/**
 * Starting and stopping listen through the BUILT binary: stopped (SIGTERM, as Ctrl+C) it exits
 * promptly and cleanly whatever a client or the forward target is doing, and keeps what it stored;
 * options that could never work stop it before it starts.
 */
import { request } from "undici";
import { afterEach, describe, expect, it } from "vitest";
import { buildEvent } from "../../../src/events/build.js";
import { signedHeaders } from "../../../src/signing.js";
import { runCli, startListen, tempHome, type Listener, type TempHome } from "../../helpers/cli.js";
import { closedPort, deliveriesList, expectExit, expectOneLineError } from "../../helpers/delivery-cli.js";
import { acceptsConnections, openSocket, textUntilClosed } from "../../helpers/raw-client.js";
import { useRecordingServers } from "../../helpers/servers.js";
import { waitUntil } from "../../helpers/wait.js";
import { sendSignedEvent } from "../../helpers/send-signed.js";

const SECRET = "listen-shutdown-secret";

let home: TempHome | undefined;
let listener: Listener | undefined;
afterEach(async () => {
  await listener?.stop("SIGKILL");
  listener = undefined;
  home?.cleanup();
  home = undefined;
});

const server = useRecordingServers();

const sendEvent = (url: string) => sendSignedEvent(url, SECRET);

async function timedStop(): Promise<{ code: number | null; stderr: string; ms: number }> {
  const started = performance.now();
  const result = await listener!.stop("SIGTERM");
  return { ...result, ms: performance.now() - started };
}

describe("listen stops promptly", () => {
  it("while a client is half way through sending its body", async () => {
    home = tempHome();
    listener = await startListen(["--secret", SECRET], home.env);
    const stalled = await openSocket(listener.port);
    stalled.write("POST /slow HTTP/1.1\r\nhost: 127.0.0.1\r\ncontent-type: application/json\r\ncontent-length: 100\r\n\r\n{\"ev");
    expect(await sendEvent(listener.url)).toBe(200);

    const stopped = await timedStop();
    stalled.destroy();
    expect(stopped.code).toBe(0);
    expect(stopped.ms).toBeLessThan(4_500);
    // The cut-off client sent no whole request: nothing failed to be stored, and nothing says so.
    expect(stopped.stderr).not.toMatch(/could not be stored|warning/);
    expect(listener!.lines().at(-1)).toMatchObject({ type: "stopped", stored: 1 });
    const rows = JSON.parse((await runCli(["events", "list", "--json"], { env: home.env })).stdout) as unknown[];
    expect(rows).toHaveLength(1);
  });

  it("while a forward waits for its next retry or for an app that does not answer", async () => {
    home = tempHome();
    const failing = await server(() => ({ status: 500 }));
    listener = await startListen(["--secret", SECRET, "--forward-to", failing.url, "--forward-retry"], home.env);
    // More forwards at once than an abort signal's default listener limit (10).
    const statuses = await Promise.all(Array.from({ length: 12 }, () => sendEvent(listener!.url)));
    expect(statuses).toEqual(Array(12).fill(200));
    await waitUntil(() => failing.requests.length >= 12);

    const stopped = await timedStop();
    expect(stopped.code).toBe(0);
    expect(stopped.ms).toBeLessThan(4_500);
    expect(stopped.stderr).toContain("abandoned 12 forward(s) in flight");
    // No leak warning from the abort signal all forwards share, and the abandoned attempt says why in words.
    expect(stopped.stderr).not.toMatch(/MaxListenersExceeded/);
    const attempts = await deliveriesList(home.env);
    expect(attempts.map((attempt) => attempt.status_code)).toContain(500);

    const silent = await server(() => ({ status: 200, delayMs: 60_000 }));
    listener = await startListen(["--secret", SECRET, "--forward-to", silent.url, "--forward-status"], home.env);
    const answer = sendEvent(listener.url);
    await waitUntil(() => silent.requests.length >= 1);
    const stoppedWaiting = await timedStop();
    expect(stoppedWaiting.code).toBe(0);
    expect(stoppedWaiting.ms).toBeLessThan(4_500);
    // The sender waiting on the app is answered (the app gave no status: 502), not left hanging.
    expect(await answer).toBe(502);
    const abandoned = (await deliveriesList(home.env)).filter((attempt) => attempt.status_code === null);
    expect(abandoned.map((attempt) => attempt.error)).toEqual(["abandoned: listen was stopping"]);
  });
});

describe("a request that completes while listen is stopping", () => {
  it("is stored and, with --forward-status, answered 503 without being forwarded", async () => {
    home = tempHome();
    const app = await server();
    listener = await startListen(["--secret", SECRET, "--forward-to", app.url, "--forward-status"], home.env);
    const body = Buffer.from(JSON.stringify(buildEvent("income.added")));
    const headers = signedHeaders(SECRET, body);
    const late = await openSocket(listener.port);
    const head = Object.entries(headers).map(([name, value]) => `${name}: ${value}\r\n`).join("");
    late.write(`POST / HTTP/1.1\r\nhost: 127.0.0.1\r\n${head}content-length: ${body.length}\r\n\r\n`);
    late.write(body.subarray(0, 10));
    const answered = textUntilClosed(late);

    const stopping = listener.stop("SIGTERM");
    // listen abandons its forwards, then stops listening: once new connections are refused, the rest
    // of the body arrives after the abandon and well inside the receiver's 2 s grace.
    await waitUntil(async () => !(await acceptsConnections(listener!.port)));
    late.write(body.subarray(10));
    const { code } = await stopping;
    const answer = await answered;
    expect(code).toBe(0);
    expect(answer).toMatch(/^HTTP\/1\.1 503 /);
    expect(answer).toContain('"error":"stopping"');
    expect(app.requests).toEqual([]);
    const rows = JSON.parse((await runCli(["events", "list", "--json"], { env: home.env })).stdout) as { status_code: number }[];
    expect(rows.map((row) => row.status_code)).toEqual([503]);
  });
});

describe("listen refuses to start", () => {
  it("when --forward-to is the listener itself, which would forward every event forever", async () => {
    home = tempHome();
    const port = await closedPort();
    for (const target of [`http://127.0.0.1:${port}/loop`, `http://localhost:${port}/`]) {
      const result = await runCli(["listen", "--port", String(port), "--forward-to", target], { env: home.env });
      expectExit(result, 2);
      expect(expectOneLineError(result.stderr)).toContain(`is this listener itself (port ${port})`);
    }
  });

  it("and, when --forward-to reaches it by a name the check cannot know (0.0.0.0 here), forwards once, stores what comes back and says so, instead of looping", async () => {
    home = tempHome();
    // The port must be known before listen takes it (it is in --forward-to): another test's process
    // may take a port found free first, so a few are tried.
    for (let tries = 1; listener === undefined; tries++) {
      const port = await closedPort();
      try {
        listener = await startListen(["--port", String(port), "--secret", "loop-secret", "--forward-to", `http://0.0.0.0:${port}/`], home.env);
      } catch (error) {
        if (tries === 3 || !/already in use/.test(String(error))) throw error;
      }
    }
    const body = JSON.stringify(buildEvent("income.added"));
    const response = await request(listener.url, { method: "POST", headers: signedHeaders("loop-secret", body), body });
    expect(response.statusCode).toBe(200);
    await response.body.dump();
    const requests = () => listener!.lines().filter((line) => (line as { type?: string }).type === "request");
    await waitUntil(() => requests().length >= 2);
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect(requests()).toHaveLength(2);
    const { stderr } = await listener.stop();
    expect(stderr.match(/came back from --forward-to/g)).toHaveLength(1);
    expect(stderr).toMatch(/request #2 came back from --forward-to http:\/\/0\.0\.0\.0:\d+\/: it leads back to this listener/);
  });

  it("when --events names nothing or '*' beside events, and smoke likewise", async () => {
    home = tempHome();
    const listen = await runCli(["listen", "--port", "0", "--events", ""], { env: home.env });
    expectExit(listen, 2);
    expect(expectOneLineError(listen.stderr)).toMatch(/--events is empty/);
    // "*" is every event on its own (forward.test.ts); beside names it is a mistake.
    const mixed = await runCli(["listen", "--port", "0", "--events", "*,income.added"], { env: home.env });
    expectExit(mixed, 2);
    expect(expectOneLineError(mixed.stderr)).toBe(`error: --events: "*" already means every event; drop the other names, or the "*"`);
    const smoke = await runCli(["smoke", "--to", "http://127.0.0.1:9/", "--events", " , "], { env: home.env });
    expectExit(smoke, 2);
    expect(expectOneLineError(smoke.stderr)).toMatch(/--events is empty/);
  });
});

describe("listen on an address other than loopback", () => {
  it("warns that it is reachable from the network, and speaks of the page's replays only when there is a page", async () => {
    home = tempHome();
    const warnings: string[] = [];
    for (const ui of [[], ["--no-ui"]]) {
      listener = await startListen(["--host", "0.0.0.0", ...ui], home.env);
      const { stderr } = await listener.stop();
      listener = undefined;
      warnings.push(stderr.split("\n").find((line) => line.startsWith("warning: listening on 0.0.0.0")) ?? "");
    }
    expect(warnings[0]).toMatch(/reachable from the network, not only from this machine \(the page replays only when opened through localhost\)$/);
    expect(warnings[1]).toBe("warning: listening on 0.0.0.0: the receiver and what it stores are reachable from the network, not only from this machine");
  });

  it("on loopback spelled otherwise (--host 127.1), says nothing of the network and keeps the page's Host check (DNS rebinding)", async () => {
    home = tempHome();
    listener = await startListen(["--host", "127.1"], home.env);
    const { port } = listener.ready as { port: number };
    const page = await request(`http://127.0.0.1:${port}/_/`, { headers: { host: `rebind.attacker.example:${port}` } });
    await page.body.dump();
    const { stderr } = await listener.stop();
    listener = undefined;
    expect(page.statusCode).toBe(421);
    expect(stderr).not.toMatch(/reachable from the network/);
  });
});
