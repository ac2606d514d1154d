// Sender: simulate --count and replay --all against the bare undici Pool sender (bench/bare-sender.js),
// into a trivial server and into `listen`. Everything runs with a temp PINWHEEL_HOME, so simulate,
// replay and listen share one default event database there, as they do for a user.
import { join } from "node:path";
import { CLI, runNode, startServer } from "./lib/children.js";
import { median } from "./lib/stats.js";
import { row } from "./lib/table.js";

const SUMMARY = /(\d+) deliver(?:y|ies) to \S+ in ([\d.]+) s \((\d+)\/s\): (\d+) 2xx, (\d+) failed/;

/** Runs a pinwheel-cli sender and reads its own summary line; wall-clock time includes start-up. */
async function cliSend(args, env, count) {
  const result = await runNode([CLI, ...args], { env, timeoutMs: 300_000 });
  const match = SUMMARY.exec(result.stdout);
  if (!match) throw new Error(`pinwheel-cli ${args.join(" ")} printed no summary (exit ${result.code}): ${result.stderr.trim() || result.stdout.slice(-500)}`);
  const [, sent, seconds, perSecond, ok, failed] = match.map(Number);
  if (sent !== count) throw new Error(`pinwheel-cli ${args[0]} sent ${sent}, expected ${count}`);
  return { perSecond, seconds, ok, failed, wallPerSecond: sent / (result.ms / 1000), wallMs: result.ms };
}

async function bareSend(url, count, concurrency, env, extra = []) {
  const result = await runNode(["bench/bare-sender.js", url, String(count), String(concurrency), ...extra], { env, timeoutMs: 300_000 });
  if (result.code !== 0) throw new Error(`bare-sender failed: ${result.stderr.trim()}`);
  const parsed = JSON.parse(result.stdout);
  return { perSecond: parsed.perSecond, seconds: parsed.seconds, wallPerSecond: count / (result.ms / 1000) };
}

export async function senderBench({ dir, secret, count, rounds, log }) {
  const concurrency = 64;
  const env = { ...process.env, PINWHEEL_API_SECRET: secret, PINWHEEL_HOME: join(dir, "home-sender") };
  const servers = [];
  try {
    const trivial = await startServer(["bench/baselines/trivial-server.js"], { env, stdoutFile: join(dir, "trivial-sender.out") });
    servers.push(trivial);
    const simulateArgs = (to) => ["simulate", "paystubs.added", "--to", to, "--count", String(count), "--concurrency", String(concurrency)];

    // Default database on both sides, as a user would run them. simulate -> listen also stores
    // the rows that replay sends afterwards.
    const listen = await startServer([CLI, "listen", "--port", "0", "--json"], { env, stdoutFile: join(dir, "listen-sender.out") });
    servers.push(listen);
    const simulateListen = await cliSend(simulateArgs(listen.url), env, count);
    log(`sender: simulate -> listen: ${simulateListen.perSecond} events/s`);

    const replayArgs = (to) => ["replay", "--all", "--to", to, "--concurrency", String(concurrency)];
    const bare = [];
    const realistic = [];
    const simulateTrivial = [];
    const replayTrivial = [];
    const contenders = [
      ["bare-sender", bare, () => bareSend(trivial.url, count, concurrency, env)],
      ["bare-sender --realistic", realistic, () => bareSend(trivial.url, count, concurrency, env, ["--realistic"])],
      ["simulate", simulateTrivial, () => cliSend(simulateArgs(trivial.url), env, count)],
      ["replay --all", replayTrivial, () => cliSend(replayArgs(trivial.url), env, count)],
    ];
    // Rounds rotate the order so that a burst of load from other processes hits each sender alike.
    for (let round = 0; round < rounds; round++) {
      for (let i = 0; i < contenders.length; i++) {
        const [name, results, send] = contenders[(round + i) % contenders.length];
        results.push(await send());
        log(`sender: ${name} -> trivial round ${round + 1}: ${Math.round(results.at(-1).perSecond)} events/s`);
      }
    }

    const replayListen = await cliSend(replayArgs(listen.url), env, count);
    log(`sender: replay --all -> listen: ${replayListen.perSecond} events/s`);
    await Promise.all(servers.map((server) => server.stop()));
    servers.length = 0;

    const bareRate = median(bare.map((r) => r.perSecond));
    const note = (r) => `${r.ok} 2xx, ${r.failed} failed; ${Math.round(r.wallPerSecond).toLocaleString("en-US")}/s counting start-up`;
    // Issue 18's target counts start-up: events over each process's whole lifetime, the bare
    // sender's included. The command's own figure (first send to last recorded attempt) is in the note.
    const bareWall = median(bare.map((r) => r.wallPerSecond));
    const againstBare = (figure, value, results, values) => {
      const failed = results.reduce((n, r) => n + r.failed, 0);
      const wall = median(results.map((r) => r.wallPerSecond));
      const ratio = wall / bareWall;
      // Each round's figure against the bare sender's in the same round: load from other processes
      // moves both alike, so these spread less than the rates do.
      const paired = results.map((r, i) => r.wallPerSecond / bare[i].wallPerSecond);
      return row({
          group: "sender",
          figure: `${figure}, start-up included`,
          value: wall,
          unit: "events/s",
          baseline: bareWall,
          baselineLabel: "bare-sender",
          ratio,
          target: ">= 0.80x",
          pass: ratio >= 0.8 && failed === 0,
          note: `median of ${results.length}; per round against that round's bare sender ${paired.map((x) => x.toFixed(2)).join(", ")} (median x${median(paired).toFixed(2)}); own figure ${values} (x${(value / bareRate).toFixed(2)} of the bare sender's own ${Math.round(bareRate).toLocaleString("en-US")}/s); ${failed} failed`,
        });
    };
    const intoListen = (figure, r) =>
      row({ group: "sender", figure, value: r.perSecond, unit: "events/s", target: "reference", note: note(r) });
    const rate = (results) => median(results.map((r) => r.perSecond));
    const list = (results) => results.map((r) => Math.round(r.perSecond)).join(", ");
    return {
      rows: [
        row({ group: "sender", figure: `bare-sender -> trivial (${count.toLocaleString("en-US")}, c=${concurrency})`, value: bareRate, unit: "events/s", target: "reference", note: `undici Pool.request, unsigned; median of ${rounds}: ${list(bare)}; ${Math.round(bareWall).toLocaleString("en-US")}/s counting start-up` }),
        row({
          group: "sender",
          figure: "bare-sender --realistic -> trivial",
          value: rate(realistic),
          unit: "events/s",
          baseline: bareRate,
          baselineLabel: "bare-sender",
          ratio: rate(realistic) / bareRate,
          target: "reference",
          note: `fresh fixture body, signed, answer read; median of ${rounds}: ${list(realistic)}`,
        }),
        againstBare(`simulate --count -> trivial`, rate(simulateTrivial), simulateTrivial, list(simulateTrivial)),
        againstBare("replay --all -> trivial", rate(replayTrivial), replayTrivial, list(replayTrivial)),
        intoListen("simulate --count -> listen", simulateListen),
        intoListen("replay --all -> listen", replayListen),
      ],
      raw: { bare, realistic, simulateTrivial, simulateListen, replayTrivial, replayListen },
    };
  } finally {
    await Promise.all(servers.map((server) => server.stop()));
  }
}
