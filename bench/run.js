// `npm run bench`: start-up, receiver, sender and store benchmarks, each against a baseline
// measured in the same run, printed as one table. Everything listens on 127.0.0.1 and is bounded
// in time. Options:
//   --quick                 shorter runs and 100k stored rows (a smoke run, not a record)
//   --only a,b              startup, cpu, receiver, sender, store (default: all)
//   --rows N                rows for the store benchmark (default 1,000,000)
//   --count N               events per sender run (default 10,000)
//   --record                write the table and the machine to bench/RESULTS.md (keeps its notes)
//   --json FILE             also write every raw figure as JSON
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { backgroundBusy, describeMachine, machine } from "./lib/machine.js";
import { markdownTable, textTable } from "./lib/table.js";

const SECTIONS = ["startup", "cpu", "receiver", "sender", "store"];
const NOTES_MARKER = "<!-- notes below are kept by `node bench/run.js --record` -->";

const { values } = parseArgs({
  options: {
    quick: { type: "boolean", default: false },
    only: { type: "string" },
    rows: { type: "string" },
    count: { type: "string" },
    record: { type: "boolean", default: false },
    json: { type: "string" },
  },
});
const only = values.only ? values.only.split(",").map((s) => s.trim()) : SECTIONS;
const unknown = only.filter((s) => !SECTIONS.includes(s));
if (unknown.length) {
  console.error(`bench: unknown section ${unknown.join(", ")}; choose from ${SECTIONS.join(", ")}`);
  process.exit(2);
}
const positive = (text, name) => {
  const n = Number(text.replaceAll("_", "").replaceAll(",", ""));
  if (!Number.isInteger(n) || n <= 0) {
    console.error(`bench: --${name} must be a positive integer`);
    process.exit(2);
  }
  return n;
};
const quick = values.quick;
const settings = {
  startup: { runs: quick ? 10 : 15 },
  cpu: { runs: quick ? 7 : 15 },
  receiver: { rounds: quick ? 1 : 5, seconds: quick ? 2 : 3, warmupSeconds: quick ? 1 : 2, soakEvents: quick ? 20_000 : 100_000 },
  sender: { count: values.count ? positive(values.count, "count") : quick ? 5_000 : 10_000, rounds: quick ? 1 : 8 },
  store: { rows: values.rows ? positive(values.rows, "rows") : quick ? 100_000 : 1_000_000 },
};

const secret = `bench-${Math.random().toString(36).slice(2)}`;
const dir = mkdtempSync(join(tmpdir(), "pinwheel-bench-"));
const cleanUp = () => rmSync(dir, { recursive: true, force: true });
process.once("SIGINT", () => {
  cleanUp();
  process.exit(130);
});

const started = performance.now();
const elapsed = () => `${((performance.now() - started) / 1000).toFixed(0)} s`;
const log = (message) => process.stderr.write(`[${elapsed()}] ${message}\n`);

const machineBefore = machine();
const busyBefore = await backgroundBusy();
log(`machine: ${describeMachine(machineBefore)}; load average ${machineBefore.loadavg.map((l) => l.toFixed(2)).join(" ")}; other processes kept ${(busyBefore * 100).toFixed(0)}% of the CPUs busy`);

const rows = [];
const raw = {};
const timings = {};
try {
  for (const section of SECTIONS.filter((s) => only.includes(s))) {
    const sectionStarted = performance.now();
    log(`${section}: starting ${JSON.stringify(settings[section])}`);
    let result;
    if (section === "startup") result = await (await import("./startup.js")).startupBench({ ...settings.startup, log });
    if (section === "cpu") result = await (await import("./oneshot.js")).oneShotBench({ ...settings.cpu, dir, secret, log });
    if (section === "receiver") result = await (await import("./receiver.js")).receiverBench({ ...settings.receiver, dir, secret, log });
    if (section === "sender") result = await (await import("./sender.js")).senderBench({ ...settings.sender, dir, secret, log });
    if (section === "store") result = await (await import("./store.js")).storeBench({ ...settings.store, dir, log });
    rows.push(...result.rows);
    raw[section] = result.raw;
    timings[section] = (performance.now() - sectionStarted) / 1000;
    log(`${section}: done in ${timings[section].toFixed(0)} s`);
  }
} finally {
  cleanUp();
}

const machineAfter = machine();
const busyAfter = await backgroundBusy();
const totalSeconds = (performance.now() - started) / 1000;
const targets = rows.filter((r) => r.pass !== null);
const missed = targets.filter((r) => !r.pass);

console.log(textTable(rows));
console.log(
  `\n${targets.length - missed.length} of ${targets.length} targets met${missed.length ? `; missed: ${missed.map((r) => r.figure).join("; ")}` : ""}.` +
    `\n${describeMachine(machineAfter)}. Load average before ${machineBefore.loadavg.map((l) => l.toFixed(2)).join(" ")}, after ${machineAfter.loadavg.map((l) => l.toFixed(2)).join(" ")};` +
    ` CPU busy with other processes ${(busyBefore * 100).toFixed(0)}% before, ${(busyAfter * 100).toFixed(0)}% after. Total ${totalSeconds.toFixed(0)} s.`,
);

if (values.json) {
  writeFileSync(values.json, `${JSON.stringify({ date: new Date().toISOString(), machineBefore, machineAfter, busyBefore, busyAfter, settings, timings, rows, raw }, null, 2)}\n`);
}

if (values.record) {
  const path = new URL("./RESULTS.md", import.meta.url);
  let notes = `${NOTES_MARKER}\n\n## Notes\n\n(none yet)\n`;
  try {
    const previous = readFileSync(path, "utf8");
    const at = previous.indexOf(NOTES_MARKER);
    if (at !== -1) notes = previous.slice(at);
  } catch {
    // No notes yet: a first run.
  }
  const shownArgs = process.argv.slice(2).filter((arg, i, all) => arg !== "--json" && all[i - 1] !== "--json");
  const load = (m) => m.loadavg.map((l) => l.toFixed(2)).join(", ");
  const text = [
    "# Benchmark results",
    "",
    `Last recorded run: ${new Date().toISOString().replace(/\.\d+Z$/, "Z")}, \`node bench/run.js ${shownArgs.join(" ")}\`, ${totalSeconds.toFixed(0)} s in all` +
      ` (${Object.entries(timings).map(([s, t]) => `${s} ${t.toFixed(0)} s`).join(", ")}).`,
    "",
    `Machine: ${describeMachine(machineAfter)}.`,
    `Load average (1, 5, 15 min) before: ${load(machineBefore)}; after: ${load(machineAfter)}.` +
      ` Share of both CPUs busy with other processes in the second before the run: ${(busyBefore * 100).toFixed(0)}%, after: ${(busyAfter * 100).toFixed(0)}%.`,
    `Settings: ${JSON.stringify(settings)}.`,
    "",
    `${targets.length - missed.length} of ${targets.length} targets met.`,
    "",
    markdownTable(rows),
    "",
    notes,
  ].join("\n");
  writeFileSync(path, text.endsWith("\n") ? text : `${text}\n`);
  log(`recorded in bench/RESULTS.md`);
}
