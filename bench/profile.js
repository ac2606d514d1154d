// CPU profiles of `listen` and of the senders under load, summarised by bench/cpu-top.js.
//   node bench/profile.js [--only listen,bare,simulate,replay] [--seconds 8] [--count 20000] [--keep DIR]
// listen: autocannon, 64 connections, signed distinct events; simulate/replay: 64 in flight to a
// trivial server. Profiles are written by `node --cpu-prof` when each process exits normally.
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { CLI, runNode, startServer } from "./lib/children.js";
import { drive, signedEventRequests } from "./lib/load.js";
import { summarize } from "./cpu-top.js";

const { values } = parseArgs({
  options: {
    only: { type: "string", default: "listen,simulate,replay" },
    seconds: { type: "string", default: "8" },
    count: { type: "string", default: "20000" },
    top: { type: "string", default: "25" },
    keep: { type: "string" },
    connections: { type: "string", default: "64" },
  },
});
const only = values.only.split(",");
const seconds = Number(values.seconds);
const count = Number(values.count);
const dir = values.keep ?? mkdtempSync(join(tmpdir(), "pinwheel-profile-"));
mkdirSync(dir, { recursive: true });
const secret = `profile-${Math.random().toString(36).slice(2)}`;
const env = { ...process.env, BENCH_SECRET: secret, PINWHEEL_API_SECRET: secret, PINWHEEL_HOME: join(dir, "home") };

/** The main thread's profile is the largest one in the directory (workers write their own). */
function mainProfile(profileDir, rank = 0) {
  const files = readdirSync(profileDir).filter((f) => f.endsWith(".cpuprofile")).map((f) => join(profileDir, f));
  if (files.length <= rank) throw new Error(`no .cpuprofile in ${profileDir}`);
  return files.sort((a, b) => statSync(b).size - statSync(a).size)[rank];
}

function report(title, profileDir, extra, rank = 0) {
  const file = mainProfile(profileDir, rank);
  console.log(`\n=== ${title} ===${extra ? `\n${extra}` : ""}\n${file}\n`);
  console.log(summarize(JSON.parse(readFileSync(file, "utf8")), Number(values.top)));
}

const servers = [];

/** Starts a receiver under --cpu-prof, warms it up for a second, drives it, stops it: its profiles are in `profileDir`. */
async function profiledReceiver(name, args) {
  const profileDir = join(dir, name);
  const server = await startServer(args, { env, stdoutFile: join(dir, `${name}.out`), nodeFlags: ["--cpu-prof", `--cpu-prof-dir=${profileDir}`] });
  servers.push(server);
  const requests = signedEventRequests(secret);
  const connections = Number(values.connections);
  await drive(server.url, { connections, seconds: 1, requests });
  const result = await drive(server.url, { connections, seconds, requests });
  await server.stop(30_000);
  servers.pop();
  return { profileDir, connections, summary: `${Math.round(result.perSecond)} req/s, p99 ${result.p99} ms, non-2xx ${result.non2xx}` };
}

try {
  if (only.includes("listen")) {
    const { profileDir, connections, summary } = await profiledReceiver("listen", [CLI, "listen", "--port", "0", "--json", "--db", join(dir, "listen.db")]);
    report(`listen under autocannon, ${connections} connections`, profileDir, summary);
    // The commit worker writes its own profile (the second largest: the checkpointer's thread is mostly asleep).
    report(`listen's commit worker, ${connections} connections`, profileDir, summary, 1);
  }
  if (only.includes("bare")) {
    // The baseline under the same load, to set listen's time per request beside it.
    const { profileDir, connections, summary } = await profiledReceiver("bare", ["bench/baselines/bare-receiver.js", "--db", join(dir, "bare.db")]);
    report(`bare receiver under autocannon, ${connections} connections`, profileDir, summary);
  }
  if (only.includes("simulate") || only.includes("replay")) {
    const trivial = await startServer(["bench/baselines/trivial-server.js"], { env, stdoutFile: join(dir, "trivial.out") });
    servers.push(trivial);
    if (only.includes("simulate")) {
      const profileDir = join(dir, "simulate");
      const args = [CLI, "simulate", "paystubs.added", "--to", trivial.url, "--count", String(count), "--concurrency", "64"];
      const result = await runNode(args, { env, nodeFlags: ["--cpu-prof", `--cpu-prof-dir=${profileDir}`], timeoutMs: 300_000 });
      report(`simulate --count ${count} --concurrency 64 -> trivial server`, profileDir, result.stdout.trim().split("\n").at(-1));
    }
    if (only.includes("replay")) {
      // Rows to replay: store them with a plain listen first (not profiled).
      const listen = await startServer([CLI, "listen", "--port", "0", "--json"], { env, stdoutFile: join(dir, "listen-replay.out") });
      servers.push(listen);
      await drive(listen.url, { connections: 64, amount: count, requests: signedEventRequests(secret) });
      await listen.stop();
      servers.pop();
      const profileDir = join(dir, "replay");
      const args = [CLI, "replay", "--all", "--to", trivial.url, "--concurrency", "64"];
      const result = await runNode(args, { env, nodeFlags: ["--cpu-prof", `--cpu-prof-dir=${profileDir}`], timeoutMs: 300_000 });
      report(`replay --all (${count} rows) --concurrency 64 -> trivial server`, profileDir, result.stdout.trim().split("\n").at(-1));
    }
  }
} finally {
  await Promise.all(servers.map((server) => server.stop()));
  if (!values.keep) rmSync(dir, { recursive: true, force: true });
}
