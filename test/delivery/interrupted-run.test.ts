/**
 * Ctrl+C in the middle of a run of deliveries (the BUILT binary): attempts are written in batches
 * off the sending path, so the process must write the ones it made before it exits, and record
 * the attempts it abandons in flight, as attempts.
 */
import { spawn } from "node:child_process";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CLI_PATH, REPO_ROOT, STOP_SIGNALS, tempHome, type TempHome } from "../helpers/cli.js";
import { deliveriesList } from "../helpers/delivery-cli.js";
import { useRecordingServers } from "../helpers/servers.js";
import { waitUntil } from "../helpers/wait.js";

const SECRET = "interrupted-run-secret";
const ANSWERED = 20;
const CONCURRENCY = 4;

let home: TempHome;
beforeAll(() => {
  home = tempHome();
});
afterAll(() => home.cleanup());

const server = useRecordingServers();

describe("a run of deliveries stopped with Ctrl+C or SIGTERM", () => {
  for (const [signal, code, line] of STOP_SIGNALS) {
    it(`records every attempt it made on ${signal}: the answered ones and the ones it abandoned in flight`, async () => {
      // The first 20 are answered at once; the rest hang, so the run is mid-way when it is stopped.
      const app = await server((index) => (index < ANSWERED ? { status: 200 } : { status: 200, delayMs: 120_000 }));
      const db = `${home.home}/${signal}.db`;
      const args = ["simulate", "paystubs.added", "--to", app.url, "--count", "300", "--concurrency", String(CONCURRENCY), "--secret", SECRET, "--db", db];
      const child = spawn(process.execPath, [CLI_PATH, ...args], { cwd: REPO_ROOT, env: home.env });
      let stderr = "";
      child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString("utf8")));
      const closed = new Promise<number | null>((resolve) => child.once("close", resolve));
      await waitUntil(() => app.requests.length === ANSWERED + CONCURRENCY, 60_000);
      // Right after the sends: well within the 200 ms the attempt log waits to write a batch.
      child.kill(signal);
      expect(await closed).toBe(code);
      // What the run leaves, after the signal's usual line: 20 answered, 4 abandoned in flight, 276 not sent.
      expect(stderr.trim().split("\n").at(-1)).toBe(
        `${line} after ${ANSWERED} of 300 deliveries (${ANSWERED} 2xx, 0 failed); ${CONCURRENCY} abandoned in flight, ${300 - ANSWERED - CONCURRENCY} not sent; every attempt made is recorded (pinwheel-cli deliveries list)`,
      );

      const rows = await deliveriesList(home.env, ["--db", db]);
      const sentIds = app.requests.map((request) => (JSON.parse(request.body.toString("utf8")) as { event_id: string }).event_id);
      const answered = rows.filter((row) => row.status_code === 200);
      expect(answered.map((row) => row.event_id).sort()).toEqual(sentIds.slice(0, ANSWERED).sort());
      const abandoned = rows.filter((row) => row.status_code === null);
      expect(abandoned.map((row) => row.event_id).sort()).toEqual(sentIds.slice(ANSWERED).sort());
      // In the run's own words: the app did not hang up, the run dropped the connection.
      for (const row of abandoned) expect(row.error).toBe("abandoned: the run was stopped before an answer came");
      // Nothing was started after the signal, so nothing else was recorded.
      expect(rows).toHaveLength(ANSWERED + CONCURRENCY);
    }, 90_000);
  }

  it("with --json, the last stdout line says where it stopped, as the summary line would have", async () => {
    const app = await server((index) => (index < ANSWERED ? { status: 200 } : { status: 200, delayMs: 120_000 }));
    const args = ["simulate", "paystubs.added", "--to", app.url, "--count", "300", "--concurrency", String(CONCURRENCY), "--secret", SECRET, "--db", `${home.home}/json.db`, "--json"];
    const child = spawn(process.execPath, [CLI_PATH, ...args], { cwd: REPO_ROOT, env: home.env });
    let stdout = "";
    child.stdout.on("data", (chunk: Buffer) => (stdout += chunk.toString("utf8")));
    const closed = new Promise<number | null>((resolve) => child.once("close", resolve));
    await waitUntil(() => app.requests.length === ANSWERED + CONCURRENCY, 60_000);
    child.kill("SIGINT");
    expect(await closed).toBe(130);
    const lines = stdout.trim().split("\n").map((line) => JSON.parse(line) as Record<string, unknown>);
    // The abandoned attempts have their lines too, before it.
    const attempts = lines.filter((line) => line.type === "attempt");
    expect(attempts.filter((line) => line.ok === true)).toHaveLength(ANSWERED);
    expect(attempts.filter((line) => line.ok === false)).toHaveLength(CONCURRENCY);
    expect(lines.at(-1)).toEqual({ type: "interrupted", sent: ANSWERED, ok: ANSWERED, failed: 0, abandoned: CONCURRENCY, not_sent: 300 - ANSWERED - CONCURRENCY });
  }, 90_000);
});
