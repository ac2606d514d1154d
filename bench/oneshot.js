// One-shot commands' CPU time (user + sys, from the OS: bash's `times` for its child) against
// `node -e 0`, interleaved so a burst of load from other processes hits every command alike.
// CPU time, not wall clock: on a shared machine waiting for a CPU costs wall time, not CPU.
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { CLI, REPO, startServer } from "./lib/children.js";
import { median } from "./lib/stats.js";
import { row } from "./lib/table.js";

const quote = (arg) => `'${arg.replaceAll("'", "'\\''")}'`;

/** CPU milliseconds (user + sys) of one run of `node <args>`, measured by the shell that waited for it. */
export function cpuOnce(args, env, nodePath = process.execPath) {
  const script = `${quote(nodePath)} ${args.map(quote).join(" ")} >/dev/null 2>&1; echo "rc=$?"; times`;
  // Generous: on a machine shared with other benchmarks a 0.3 s command has taken 15 s of wall time.
  const result = spawnSync("bash", ["-c", script], { cwd: REPO, env, encoding: "utf8", timeout: 300_000 });
  const rc = /rc=(\d+)/.exec(result.stdout)?.[1];
  // `times` prints the shell's own user/sys, then its children's: "0m0.071s 0m0.018s".
  const lines = result.stdout.trim().split("\n");
  const children = /(\d+)m([\d.]+)s (\d+)m([\d.]+)s/.exec(lines[lines.length - 1] ?? "");
  if (!children) {
    throw new Error(`could not read CPU times of node ${args.join(" ")} (${result.error?.message ?? `exit ${result.status ?? result.signal}`}): ${result.stdout} ${result.stderr}`);
  }
  const seconds = Number(children[1]) * 60 + Number(children[2]) + Number(children[3]) * 60 + Number(children[4]);
  return { ms: seconds * 1000, rc: Number(rc) };
}

export function oneShotCommands(url) {
  return [
    { key: "node", label: "node -e 0", args: ["-e", "0"] },
    { key: "help", label: "pinwheel-cli --help", args: [CLI, "--help"], target: 1.3 },
    { key: "simulate", label: "simulate paystubs.fully_synced --to <url>", args: [CLI, "simulate", "paystubs.fully_synced", "--to", url], target: 2.0 },
    { key: "eventsList", label: "events list --limit 20", args: [CLI, "events", "list", "--limit", "20"], target: 1.6 },
    { key: "eventsShow", label: "events show 1", args: [CLI, "events", "show", "1"], target: 1.6 },
    { key: "verify", label: "verify 1", args: [CLI, "verify", "1"], target: 1.6 },
    { key: "fixturesShow", label: "fixtures show paystubs.added", args: [CLI, "fixtures", "show", "paystubs.added"], target: 1.6 },
    { key: "webhooksList", label: "webhooks list (local)", args: [CLI, "webhooks", "list"], target: 1.6 },
    // A short run: past 20 deliveries simulate sends over undici (and sets V8's --liftoff-only).
    // No target in issue 18; it shows what a run pays beyond one event (start-up, undici, exit).
    { key: "simulateShortRun", label: "simulate paystubs.added --count 100 --to <url>", args: [CLI, "simulate", "paystubs.added", "--count", "100", "--to", url] },
  ];
}

export async function oneShotBench({ runs, dir, secret, log, nodePath = process.execPath }) {
  const home = mkdtempSync(join(tmpdir(), "pinwheel-oneshot-"));
  const env = { ...process.env, PINWHEEL_HOME: home, PINWHEEL_API_SECRET: secret, NO_COLOR: "1", CI: "true" };
  delete env.PINWHEEL_CLI_DB;
  const server = await startServer([`${REPO}bench/baselines/trivial-server.js`], { stdoutFile: join(dir, "oneshot-trivial.out") });
  try {
    const commands = oneShotCommands(server.url);
    const { buildEvent } = await import(`${REPO}dist/events/build.js`);
    const { signedHeaders } = await import(`${REPO}dist/signing.js`);
    const body = JSON.stringify(buildEvent("paystubs.added"));
    const headers = Object.entries(signedHeaders(secret, body, { timestamp: Math.floor(Date.now() / 1000) }));
    // events show needs a stored request: listen stores them; simulate to a listen would too,
    // but one row written through the library is enough here.
    const { openDatabase } = await import(`${REPO}dist/store/database.js`);
    const { requestStore } = await import(`${REPO}dist/store/requests.js`);
    const { resolveDbPath } = await import(`${REPO}dist/config.js`);
    const previousHome = process.env.PINWHEEL_HOME;
    process.env.PINWHEEL_HOME = home;
    const dbPath = resolveDbPath(undefined);
    if (previousHome === undefined) delete process.env.PINWHEEL_HOME;
    else process.env.PINWHEEL_HOME = previousHome;
    const db = openDatabase(dbPath);
    requestStore(db).insert({
      receivedAt: new Date().toISOString(), method: "POST", path: "/", headers, body: Buffer.from(body), bodySize: body.length,
      bodyTruncated: false, event: "paystubs.added", eventId: "e-1", accountId: "a", webhookId: null, verification: "verified", verificationDetail: null,
      schemaErrors: null, rejection: null, statusCode: 200, remoteAddress: "127.0.0.1",
    });
    db.close();

    const times = Object.fromEntries(commands.map((c) => [c.key, []]));
    for (const command of commands) {
      const warm = cpuOnce(command.args, env, nodePath); // file cache (and compile cache) warm, untimed
      if (warm.rc !== 0) throw new Error(`${command.label} exited ${warm.rc}`);
    }
    for (let run = 0; run < runs; run++) {
      for (let i = 0; i < commands.length; i++) {
        const command = commands[(run + i) % commands.length];
        times[command.key].push(cpuOnce(command.args, env, nodePath).ms);
      }
    }
    const medians = Object.fromEntries(Object.entries(times).map(([key, values]) => [key, median(values)]));
    log(`one-shot CPU: medians ${JSON.stringify(Object.fromEntries(Object.entries(medians).map(([k, v]) => [k, Math.round(v)])))} ms over ${runs} runs`);
    const base = medians.node;
    const spread = (key) => `min ${Math.round(Math.min(...times[key]))}, max ${Math.round(Math.max(...times[key]))} ms`;
    return {
      rows: commands.map((command) =>
        command.key === "node"
          ? row({ group: "cpu", figure: "node -e 0 (CPU)", value: base, unit: "ms", target: "reference", note: `user+sys, median of ${runs}; ${spread("node")}` })
          : row({
              group: "cpu",
              figure: `${command.label} (CPU)`,
              value: medians[command.key],
              unit: "ms",
              baseline: base,
              baselineLabel: "node -e 0",
              ratio: medians[command.key] / base,
              target: command.target === undefined ? "reference" : `<= ${command.target.toFixed(2)}x`,
              pass: command.target === undefined ? undefined : medians[command.key] / base <= command.target,
              note: `user+sys; ${spread(command.key)}`,
            }),
      ),
      raw: { times },
    };
  } finally {
    await server.stop();
    rmSync(home, { recursive: true, force: true });
  }
}
