// A/B of `listen` builds against the bare receiver, in one run: rounds rotate between the bare
// receiver and each build, so load from other processes hits them alike. Besides req/s and p99,
// it reads each server's CPU time (user + sys, /proc/<pid>/stat) over every round, and prints it
// per request: on a shared machine that is steadier than the rate.
//   node bench/ab-receiver.js --build before=/tmp/main-copy --build after=. [--rounds 4] [--seconds 3]
//                            [--connections 10,64] [--threads] [--fsyncs] [--warmup 15000] [--args '...']
// A build is a directory holding bin/pinwheel-cli.cjs (or an older build's bin/pinwheel-cli.js) and dist/
// (a copy of main's works as "before").
// --threads also prints CPU per request for each thread (/proc/<pid>/task/<tid>/stat).
import { spawn } from "node:child_process";
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir, loadavg } from "node:os";
import { join, resolve } from "node:path";
import { parseArgs } from "node:util";
import { cpuMicros, startServer } from "./lib/children.js";
import { drive, signedEventRequests } from "./lib/load.js";
import { median } from "./lib/stats.js";

const { values } = parseArgs({
  options: {
    build: { type: "string", multiple: true, default: [] },
    rounds: { type: "string", default: "4" },
    seconds: { type: "string", default: "3" },
    connections: { type: "string", default: "10,64" },
    threads: { type: "boolean", default: false },
    fsyncs: { type: "boolean", default: false },
    args: { type: "string", default: "" },
    warmup: { type: "string", default: "15000" },
  },
});
const builds = values.build.map((spec) => {
  const [name, dir] = spec.split("=");
  const bin = ["bin/pinwheel-cli.cjs", "bin/pinwheel-cli.js"].map((file) => join(resolve(dir), file)).find((file) => existsSync(file));
  if (!bin) throw new Error(`${dir} has no bin/pinwheel-cli.cjs: build it first`);
  return { name, cli: bin };
});
if (builds.length === 0) {
  console.error("ab-receiver: give at least one --build name=dir");
  process.exit(2);
}
const rounds = Number(values.rounds);
const seconds = Number(values.seconds);
const connectionCounts = values.connections.split(",").map(Number);
const extraArgs = values.args ? values.args.split(" ") : [];

function threadTimes(pid) {
  const out = new Map();
  for (const tid of readdirSync(`/proc/${pid}/task`)) {
    let name = "thread";
    try {
      name = readFileSync(`/proc/${pid}/task/${tid}/comm`, "utf8").trim();
    } catch {
      // The thread ended between the listing and the read.
    }
    const key = tid === String(pid) ? "main" : `${name}:${tid}`;
    out.set(key, cpuMicros(`/proc/${pid}/task/${tid}/stat`));
    out.set(`${key} sys`, cpuMicros(`/proc/${pid}/task/${tid}/stat`, true));
  }
  return out;
}

/** Counts a process's fsync and fdatasync calls until stopped (perf's syscall tracepoints). */
function countSyncs(pid) {
  const perf = spawn("perf", ["stat", "-x,", "-e", "syscalls:sys_enter_fsync,syscalls:sys_enter_fdatasync", "-p", String(pid)], { stdio: ["ignore", "ignore", "pipe"] });
  let text = "";
  perf.stderr.setEncoding("utf8").on("data", (c) => (text += c));
  const done = new Promise((resolve) => perf.once("exit", () => resolve(text.split("\n").reduce((n, line) => n + (Number(line.split(",")[0]) || 0), 0))));
  return () => {
    perf.kill("SIGINT");
    return done;
  };
}

const secret = `ab-${Math.random().toString(36).slice(2)}`;
const dir = mkdtempSync(join(tmpdir(), "pinwheel-ab-"));
const env = { ...process.env, BENCH_SECRET: secret, PINWHEEL_API_SECRET: secret, PINWHEEL_HOME: join(dir, "home") };
const requests = signedEventRequests(secret);
const log = (m) => process.stderr.write(`${m}\n`);

const servers = [];
try {
  const bare = await startServer(["bench/baselines/bare-receiver.js", "--db", join(dir, "bare.db")], { env, stdoutFile: join(dir, "bare.out") });
  servers.push({ name: "bare", server: bare });
  for (const build of builds) {
    const server = await startServer([build.cli, "listen", "--port", "0", "--json", "--db", join(dir, `${build.name}.db`), ...extraArgs], {
      env,
      stdoutFile: join(dir, `${build.name}.out`),
    });
    servers.push({ name: build.name, server });
  }
  const load = [loadavg()[0]];
  // A fixed number of requests, not seconds: zod and V8 need thousands of requests to warm up,
  // and on a busy machine a few seconds may not bring them.
  for (const { server } of servers) await drive(server.url, { connections: 64, amount: Number(values.warmup), requests });
  const results = {};
  for (const connections of connectionCounts) {
    results[connections] = {};
    for (const { name } of servers) results[connections][name] = [];
    for (let round = 0; round < rounds; round++) {
      // Rotate the order each round.
      const order = servers.map((_, i) => servers[(i + round) % servers.length]);
      for (const { name, server } of order) {
        const before = values.threads ? threadTimes(server.pid) : undefined;
        const stopCounting = values.fsyncs ? countSyncs(server.pid) : undefined;
        const cpu0 = cpuMicros(`/proc/${server.pid}/stat`);
        const r = await drive(server.url, { connections, seconds, requests });
        const cpu = cpuMicros(`/proc/${server.pid}/stat`) - cpu0;
        const syncs = stopCounting ? await stopCounting() : undefined;
        let threads;
        if (before) {
          threads = {};
          for (const [key, us] of threadTimes(server.pid)) threads[key] = (us - (before.get(key) ?? 0)) / r.answered;
        }
        results[connections][name].push({ ...r, cpuPerRequest: cpu / r.answered, threads, requestsPerSync: syncs ? r.answered / syncs : undefined });
        log(`${connections} conn round ${round + 1} ${name}: ${Math.round(r.perSecond)} req/s p99 ${r.p99} ms cpu ${(cpu / r.answered).toFixed(0)} us/req${syncs ? ` ${(r.answered / syncs).toFixed(1)} req/fsync` : ""} non2xx ${r.non2xx} err ${r.errors + r.timeouts} load ${loadavg()[0].toFixed(2)}`);
      }
      load.push(loadavg()[0]);
    }
  }
  console.log(`\nload average (1 min) during the run: ${Math.min(...load).toFixed(2)}-${Math.max(...load).toFixed(2)}`);
  for (const connections of connectionCounts) {
    const bareRounds = results[connections].bare;
    console.log(`\n${connections} connections (${rounds} rounds x ${seconds} s; ratio = median of per-round ratios to the bare round beside it)`);
    for (const { name } of servers) {
      const list = results[connections][name];
      const perRound = list.map((r, i) => r.perSecond / bareRounds[i].perSecond);
      const p99Round = list.map((r, i) => r.p99 / bareRounds[i].p99);
      const line = [
        name.padEnd(8),
        `${Math.round(median(list.map((r) => r.perSecond)))} req/s`.padEnd(12),
        `ratio ${median(perRound).toFixed(2)}x [${perRound.map((x) => x.toFixed(2)).join(" ")}]`.padEnd(40),
        `p99 ${median(list.map((r) => r.p99))} ms (${median(p99Round).toFixed(2)}x)`.padEnd(22),
        `cpu ${median(list.map((r) => r.cpuPerRequest)).toFixed(0)} us/req`,
        values.fsyncs ? `${median(list.map((r) => r.requestsPerSync)).toFixed(1)} req/fsync` : "",
      ];
      console.log(line.join("  "));
      if (values.threads && list[0].threads) {
        const keys = Object.keys(list[0].threads);
        const parts = keys
          .map((k) => [k, median(list.map((r) => r.threads?.[k] ?? 0))])
          .filter(([, v]) => v >= 1)
          .map(([k, v]) => `${k} ${v.toFixed(0)}`);
        console.log(`          threads (us/req): ${parts.join(", ")}`);
      }
    }
  }
} finally {
  await Promise.all(servers.map(({ server }) => server.stop()));
  rmSync(dir, { recursive: true, force: true });
}
