// Receiver: `listen` against the bare baseline (bench/baselines/bare-receiver.js), both durable
// (group commit, WAL, synchronous=FULL), driven by autocannon with signed, distinct events.
// Rounds alternate between the two servers so that load from other processes hits both alike.
import { statSync } from "node:fs";
import { join } from "node:path";
import Database from "better-sqlite3";
import { CLI, cpuMicros, rssBytes, startServer } from "./lib/children.js";
import { drive, signedEventRequests } from "./lib/load.js";
import { median } from "./lib/stats.js";
import { row } from "./lib/table.js";

function countRows(path) {
  const db = new Database(path, { readonly: true, fileMustExist: true });
  try {
    return db.prepare("SELECT count(*) AS n FROM requests").get().n;
  } finally {
    db.close();
  }
}

function fileSize(path) {
  try {
    return statSync(path).size;
  } catch {
    return 0;
  }
}

export async function receiverBench({ dir, secret, rounds, seconds, warmupSeconds, soakEvents, log }) {
  const env = { ...process.env, BENCH_SECRET: secret, PINWHEEL_API_SECRET: secret, PINWHEEL_HOME: join(dir, "home-receiver") };
  const requests = signedEventRequests(secret);
  const listenDb = join(dir, "listen.db");
  const bareDb = join(dir, "bare.db");
  const servers = [];
  try {
    const trivial = await startServer(["bench/baselines/trivial-server.js"], { env, stdoutFile: join(dir, "trivial-receiver.out") });
    servers.push(trivial);
    const bare = await startServer(["bench/baselines/bare-receiver.js", "--db", bareDb], { env, stdoutFile: join(dir, "bare.out") });
    servers.push(bare);
    const listen = await startServer([CLI, "listen", "--port", "0", "--json", "--db", listenDb], { env, stdoutFile: join(dir, "listen.out") });
    servers.push(listen);
    // A reference, not a target: what listen's requirements cost in the bare receiver's own loop.
    const floor = await startServer(["bench/baselines/required-receiver.js", "--db", join(dir, "floor.db")], { env, stdoutFile: join(dir, "floor.out") });
    servers.push(floor);

    const rss = { ready: rssBytes(listen.pid), samples: [] };
    // RSS swings by tens of MiB with garbage collection (one run saw 145 to 183 MiB within a few
    // seconds), so a single reading against another says little: "flat" compares the peaks of
    // the two halves of the events, sampled four times a second.
    const sampler = setInterval(() => rss.samples.push(rssBytes(listen.pid)), 250);
    const answered = { bare: 0, listen: 0 };
    const non2xx = { bare: 0, listen: 0 };
    const failures = { bare: 0, listen: 0 };
    const run = async (name, server, connections, options) => {
      const cpuBefore = cpuMicros(`/proc/${server.pid}/stat`);
      const result = await drive(server.url, { connections, requests, ...options });
      result.cpuPerRequest = (cpuMicros(`/proc/${server.pid}/stat`) - cpuBefore) / Math.max(result.answered, 1);
      if (name in answered) {
        answered[name] += result.answered;
        non2xx[name] += result.non2xx;
        failures[name] += result.errors + result.timeouts;
      }
      return result;
    };

    log(`receiver: warming up (${warmupSeconds} s each)`);
    await run("bare", bare, 64, { seconds: warmupSeconds });
    await run("listen", listen, 64, { seconds: warmupSeconds });
    await run("floor", floor, 64, { seconds: warmupSeconds });
    rss.warm = rssBytes(listen.pid);
    rss.warmEvents = answered.listen;
    rss.warmSample = rss.samples.length;

    const results = { trivial: {}, bare: {}, listen: {}, floor: {} };
    const contenders = { bare, listen, floor };
    for (const connections of [10, 64]) {
      log(`receiver: load-generator ceiling, trivial server, ${connections} connections`);
      results.trivial[connections] = [await run("trivial", trivial, connections, { seconds })];
      for (const name of Object.keys(contenders)) results[name][connections] = [];
      for (let round = 0; round < rounds; round++) {
        // listen always runs beside the bare receiver, before it in one round and after it in the next.
        const order = round % 2 === 0 ? ["bare", "listen", "floor"] : ["floor", "listen", "bare"];
        for (const name of order) {
          const result = await run(name, contenders[name], connections, { seconds });
          results[name][connections].push(result);
          log(`receiver: ${name} ${connections} connections round ${round + 1}: ${Math.round(result.perSecond)} req/s, p99 ${result.p99} ms, non-2xx ${result.non2xx}`);
        }
      }
    }
    rss.measured = rssBytes(listen.pid);
    rss.measuredEvents = answered.listen;

    // Two halves, so "flat" compares the second half of the soak with the first, not with a
    // process that has barely warmed up.
    const soakStarted = performance.now();
    for (const goal of [Math.round(soakEvents / 2), soakEvents]) {
      if (answered.listen < goal) {
        log(`receiver: soaking listen to ${goal.toLocaleString("en-US")} events (64 connections) for the memory figure`);
        await run("listen", listen, 64, { amount: goal - answered.listen });
      }
      if (goal < soakEvents) {
        rss.half = rssBytes(listen.pid);
        rss.halfEvents = answered.listen;
        rss.halfSample = rss.samples.length;
      }
    }
    const soakSeconds = (performance.now() - soakStarted) / 1000;
    clearInterval(sampler);
    rss.after = rssBytes(listen.pid);
    rss.afterEvents = answered.listen;
    rss.peak = Math.max(rss.ready, ...rss.samples);
    rss.peakFirstHalf = Math.max(rss.warm, ...rss.samples.slice(rss.warmSample, rss.halfSample));
    rss.peakSecondHalf = Math.max(rss.after, ...rss.samples.slice(rss.halfSample));
    const walBytes = fileSize(`${listenDb}-wal`);
    const bareWalBytes = fileSize(`${bareDb}-wal`);

    await Promise.all([bare.stop(), listen.stop(), floor.stop(), trivial.stop()]);
    servers.length = 0;
    const stored = { listen: countRows(listenDb), bare: countRows(bareDb) };

    const summary = (list) => ({
      perSecond: median(list.map((r) => r.perSecond)),
      p99: median(list.map((r) => r.p99)),
      p50: median(list.map((r) => r.p50)),
      cpuPerRequest: median(list.map((r) => r.cpuPerRequest)),
    });
    const rows = [];
    for (const connections of [10, 64]) {
      const t = summary(results.trivial[connections]);
      const b = summary(results.bare[connections]);
      const l = summary(results.listen[connections]);
      const f = summary(results.floor[connections]);
      const ratio = l.perSecond / b.perSecond;
      rows.push(
        row({ group: "receiver", figure: `trivial server, ${connections} conn (load ceiling)`, value: t.perSecond, unit: "req/s", target: "reference", note: `node:http answering 200, same signed load; p99 ${t.p99} ms` }),
        row({ group: "receiver", figure: `bare receiver, ${connections} conn`, value: b.perSecond, unit: "req/s", target: "reference", note: `baseline; p50 ${b.p50} ms, p99 ${b.p99} ms; median of ${rounds}` }),
        row({
          group: "receiver",
          figure: `listen, ${connections} conn`,
          value: l.perSecond,
          unit: "req/s",
          baseline: b.perSecond,
          baselineLabel: "bare",
          ratio,
          target: ">= 0.85x",
          pass: ratio >= 0.85,
          note: `median of ${rounds}: ${results.listen[connections].map((r) => Math.round(r.perSecond)).join(", ")}; p50 ${l.p50} ms`,
        }),
        row({
          group: "receiver",
          figure: `listen p99 latency, ${connections} conn`,
          value: l.p99,
          unit: "ms",
          baseline: b.p99,
          baselineLabel: "bare",
          ratio: l.p99 / b.p99,
          // Issue 18: a ratio to the baseline in the same run, not an absolute figure this VM cannot reach.
          target: "<= 1.50x",
          pass: l.p99 / b.p99 <= 1.5,
          note: "autocannon latency p99",
        }),
        row({
          group: "receiver",
          figure: `listen CPU per request, ${connections} conn`,
          value: l.cpuPerRequest,
          unit: "us",
          baseline: b.cpuPerRequest,
          baselineLabel: "bare",
          ratio: l.cpuPerRequest / b.cpuPerRequest,
          target: "reference",
          // What the rate ratio follows when the load generator and the server fill every core (a fast disk on a 2-core machine).
          note: `user + sys of the whole process, all threads (/proc), median of ${rounds}`,
        }),
        row({
          group: "receiver",
          figure: `requirements floor, ${connections} conn`,
          value: f.perSecond,
          unit: "req/s",
          baseline: b.perSecond,
          baselineLabel: "bare",
          ratio: f.perSecond / b.perSecond,
          target: "reference",
          note: `bench/baselines/required-receiver.js: the bare receiver's loop with listen's row, validation and line; cpu ${Math.round(f.cpuPerRequest)} us/req; p99 ${f.p99} ms`,
        }),
        row({
          group: "receiver",
          figure: `listen against the floor, ${connections} conn`,
          value: l.perSecond,
          unit: "req/s",
          baseline: f.perSecond,
          baselineLabel: "floor",
          ratio: l.perSecond / f.perSecond,
          target: "reference",
          note: "what listen's own machinery costs beyond its requirements (commit worker, bounds, inspector hooks)",
        }),
      );
    }
    rows.push(
      row({
        group: "receiver",
        figure: "listen non-2xx + errors, all runs",
        value: non2xx.listen + failures.listen,
        unit: "",
        baseline: non2xx.bare + failures.bare,
        baselineLabel: "bare",
        target: "= 0",
        pass: non2xx.listen + failures.listen === 0,
        note: `${answered.listen.toLocaleString("en-US")} answered, ${stored.listen.toLocaleString("en-US")} rows stored (bare: ${answered.bare.toLocaleString("en-US")} answered, ${stored.bare.toLocaleString("en-US")} stored)`,
      }),
      row({ group: "receiver", figure: "listen RSS at ready", value: rss.ready, unit: "MiB", target: "reference" }),
      row({ group: "receiver", figure: `listen RSS after warm-up`, value: rss.warm, unit: "MiB", target: "reference", note: `${rss.warmEvents.toLocaleString("en-US")} events` }),
      row({ group: "receiver", figure: `listen RSS after measured runs`, value: rss.measured, unit: "MiB", target: "reference", note: `${rss.measuredEvents.toLocaleString("en-US")} events` }),
      row({ group: "receiver", figure: `listen RSS half-way through the soak`, value: rss.half, unit: "MiB", target: "reference", note: `${rss.halfEvents.toLocaleString("en-US")} events` }),
      row({
        group: "receiver",
        figure: `listen RSS after ${Math.round(rss.afterEvents / 1000)}k events`,
        value: rss.after,
        unit: "MiB",
        baseline: rss.half,
        baselineLabel: `at ${Math.round(rss.halfEvents / 1000)}k`,
        ratio: rss.after / rss.half,
        target: "reference",
        note: `one reading against another; soak ${soakSeconds.toFixed(0)} s; WAL file at end ${(walBytes / 2 ** 20).toFixed(1)} MiB (bare: ${(bareWalBytes / 2 ** 20).toFixed(1)} MiB)`,
      }),
      row({
        group: "receiver",
        figure: "listen RSS peak, second half of the events",
        value: rss.peakSecondHalf,
        unit: "MiB",
        baseline: rss.peakFirstHalf,
        baselineLabel: "first half",
        ratio: rss.peakSecondHalf / rss.peakFirstHalf,
        target: "<= 1.10x (flat)",
        pass: rss.afterEvents >= soakEvents && rss.peakSecondHalf / rss.peakFirstHalf <= 1.1,
        note: `sampled every 250 ms: ${(rss.warmEvents / 1000).toFixed(0)}k-${(rss.halfEvents / 1000).toFixed(0)}k events against ${(rss.halfEvents / 1000).toFixed(0)}k-${(rss.afterEvents / 1000).toFixed(0)}k; peak of the whole run ${(rss.peak / 2 ** 20).toFixed(0)} MiB`,
      }),
    );
    return { rows, raw: { results, rss, answered, non2xx, failures, stored, walBytes, bareWalBytes } };
  } finally {
    await Promise.all(servers.map((server) => server.stop()));
  }
}
