// A/B of the senders (`simulate --count`, `replay --all`) of one or more builds against the bare
// undici sender, in one run: rounds rotate between the bare sender and each build's commands, so
// load from other processes hits them alike. Each run's wall time (spawn to exit, start-up
// included, as `npm run bench` counts it) and CPU time (user + sys of the whole process, from the
// shell that waited for it): on a 2-core machine shared with the server, CPU per event is what
// sets the pace, and it is steadier than the rate.
//   node bench/ab-sender.js --build before=/tmp/main-copy --build after=. [--rounds 6] [--count 10000]
//                           [--only simulate,replay]
// A build is a directory holding bin/pinwheel-cli.cjs and dist/ (a copy of main's works as "before").
import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { loadavg, tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { parseArgs } from "node:util";
import { REPO, startServer } from "./lib/children.js";
import { drive, signedEventRequests } from "./lib/load.js";
import { median } from "./lib/stats.js";

const { values } = parseArgs({
  options: {
    build: { type: "string", multiple: true, default: [] },
    rounds: { type: "string", default: "6" },
    count: { type: "string", default: "10000" },
    only: { type: "string", default: "simulate,replay" },
  },
});
const builds = values.build.map((spec) => {
  const [name, dir] = spec.split("=");
  const cli = join(resolve(dir), "bin/pinwheel-cli.cjs");
  if (!existsSync(cli)) throw new Error(`${dir} has no bin/pinwheel-cli.cjs: build it first`);
  return { name, cli };
});
if (builds.length === 0) {
  console.error("ab-sender: give at least one --build name=dir");
  process.exit(2);
}
const rounds = Number(values.rounds);
const count = Number(values.count);
const only = values.only.split(",");
const concurrency = 64;
const secret = `ab-sender-${Math.random().toString(36).slice(2)}`;
const dir = mkdtempSync(join(tmpdir(), "pinwheel-ab-sender-"));
const quote = (arg) => `'${String(arg).replaceAll("'", "'\\''")}'`;

/** One run of `node <args>`: wall ms (spawn to exit, measured by the shell) and CPU ms (its child's user + sys). */
function timedRun(args, env) {
  const script = `start=$(date +%s%N); ${quote(process.execPath)} ${args.map(quote).join(" ")} 2>&1; echo "rc=$? wall=$(( ($(date +%s%N) - start) / 1000 ))"; times`;
  const result = spawnSync("bash", ["-c", script], { cwd: REPO, env, encoding: "utf8", timeout: 300_000, maxBuffer: 64 * 1024 * 1024 });
  const lines = result.stdout.trim().split("\n");
  const status = /rc=(\d+) wall=(\d+)/.exec(lines.at(-3) ?? "");
  const children = /(\d+)m([\d.]+)s (\d+)m([\d.]+)s/.exec(lines.at(-1) ?? "");
  if (!status || !children || status[1] !== "0") throw new Error(`node ${args.join(" ")} failed: ${result.stdout.slice(-800)} ${result.stderr}`);
  const cpuSeconds = Number(children[1]) * 60 + Number(children[2]) + Number(children[3]) * 60 + Number(children[4]);
  return { wallMs: Number(status[2]) / 1000, cpuMs: cpuSeconds * 1000, output: lines.slice(0, -3).join("\n") };
}

const servers = [];
try {
  const baseEnv = { ...process.env, PINWHEEL_API_SECRET: secret, BENCH_SECRET: secret };
  const trivial = await startServer(["bench/baselines/trivial-server.js"], { env: baseEnv, stdoutFile: join(dir, "trivial.out") });
  servers.push(trivial);
  const contenders = [{ name: "bare-sender", run: () => timedRun(["bench/bare-sender.js", trivial.url, count, concurrency], baseEnv) }];
  for (const build of builds) {
    const env = { ...baseEnv, PINWHEEL_HOME: join(dir, `home-${build.name}`) };
    if (only.includes("simulate")) {
      const args = [build.cli, "simulate", "paystubs.added", "--to", trivial.url, "--count", count, "--concurrency", concurrency];
      contenders.push({ name: `${build.name} simulate`, run: () => timedRun(args, env) });
    }
    if (only.includes("replay")) {
      // The rows to replay: stored by this build's own listen, as a user's would be.
      const listen = await startServer([build.cli, "listen", "--port", "0", "--json"], { env, stdoutFile: join(dir, `listen-${build.name}.out`) });
      await drive(listen.url, { connections: 64, amount: count, requests: signedEventRequests(secret) });
      await listen.stop();
      const args = [build.cli, "replay", "--all", "--to", trivial.url, "--concurrency", concurrency];
      contenders.push({ name: `${build.name} replay`, run: () => timedRun(args, env) });
    }
  }
  const results = new Map(contenders.map((c) => [c.name, []]));
  process.stderr.write(`load average before: ${loadavg().map((n) => n.toFixed(2)).join(" ")}\n`);
  for (let round = 0; round < rounds; round++) {
    for (let i = 0; i < contenders.length; i++) {
      const contender = contenders[(round + i) % contenders.length];
      results.get(contender.name).push(contender.run());
    }
    const line = contenders.map((c) => `${c.name} ${Math.round(results.get(c.name).at(-1).wallMs)}/${Math.round(results.get(c.name).at(-1).cpuMs)}`).join(", ");
    process.stderr.write(`round ${round + 1}: wall/cpu ms ${line}\n`);
  }
  const bare = results.get("bare-sender");
  const bareWall = median(bare.map((r) => r.wallMs));
  const bareCpu = median(bare.map((r) => r.cpuMs));
  console.log(`${count} events, ${concurrency} in flight, medians of ${rounds}; load average after: ${loadavg().map((n) => n.toFixed(2)).join(" ")}`);
  console.log(`${"contender".padEnd(22)} ${"wall ms".padStart(8)} ${"x bare".padStart(7)} ${"CPU ms".padStart(8)} ${"bare/CPU".padStart(9)}  rounds (wall ratio)`);
  for (const [name, list] of results) {
    const wall = median(list.map((r) => r.wallMs));
    const cpu = median(list.map((r) => r.cpuMs));
    const perRound = list.map((r, i) => (bare[i].wallMs / r.wallMs).toFixed(2)).join(" ");
    console.log(`${name.padEnd(22)} ${wall.toFixed(0).padStart(8)} ${(bareWall / wall).toFixed(2).padStart(7)} ${cpu.toFixed(0).padStart(8)} ${(bareCpu / cpu).toFixed(2).padStart(9)}  ${perRound}`);
  }
} finally {
  await Promise.all(servers.map((server) => server.stop()));
  rmSync(dir, { recursive: true, force: true });
}
