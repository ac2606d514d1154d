// Start-up: `--help` and `--version` against `node -e 0`, interleaved so that a burst of load from
// other processes hits every command alike. Medians of wall-clock time from spawn to exit.
import { spawnSync } from "node:child_process";
import { CLI, REPO } from "./lib/children.js";
import { median } from "./lib/stats.js";
import { row } from "./lib/table.js";

const COMMANDS = [
  { key: "node", label: "node -e 0", args: ["-e", "0"] },
  { key: "commander", label: 'node -e \'import("commander")\'', args: ["-e", 'import("commander")'] },
  { key: "help", label: "pinwheel-cli --help", args: [CLI, "--help"] },
  { key: "version", label: "pinwheel-cli --version", args: [CLI, "--version"] },
];

function timeOnce(args) {
  const started = performance.now();
  const result = spawnSync(process.execPath, args, { cwd: REPO, stdio: "ignore", timeout: 30_000 });
  const ms = performance.now() - started;
  if (result.status !== 0) throw new Error(`node ${args.join(" ")} exited ${result.status ?? result.signal}`);
  return ms;
}

// Where --version's time goes beyond a bare node, measured inside one process.
const BREAKDOWN = `
const t0 = performance.now();
await import("commander");
const t1 = performance.now();
const { buildProgram } = await import("./dist/cli.js");
const t2 = performance.now();
buildProgram();
const t3 = performance.now();
console.log(JSON.stringify({ commander: t1 - t0, cli: t2 - t1, build: t3 - t2 }));
`;

function breakdownOnce() {
  const result = spawnSync(process.execPath, ["--input-type=module", "-e", BREAKDOWN], { cwd: REPO, encoding: "utf8", timeout: 30_000 });
  if (result.status !== 0) throw new Error(`start-up breakdown failed: ${result.stderr}`);
  return JSON.parse(result.stdout);
}

export async function startupBench({ runs, log }) {
  const times = Object.fromEntries(COMMANDS.map((c) => [c.key, []]));
  for (const command of COMMANDS) timeOnce(command.args); // warm the file cache, untimed
  for (let run = 0; run < runs; run++) {
    // Rotate the order each round so no command always runs right after another.
    for (let i = 0; i < COMMANDS.length; i++) {
      const command = COMMANDS[(run + i) % COMMANDS.length];
      times[command.key].push(timeOnce(command.args));
    }
  }
  const medians = Object.fromEntries(Object.entries(times).map(([key, values]) => [key, median(values)]));
  log(`startup: medians ${JSON.stringify(Object.fromEntries(Object.entries(medians).map(([k, v]) => [k, Math.round(v)])))} ms over ${runs} runs`);
  const base = medians.node;
  const parts = Array.from({ length: 7 }, breakdownOnce);
  const part = (key) => median(parts.map((p) => p[key]));
  const spread = (key) => `min ${Math.round(Math.min(...times[key]))}, max ${Math.round(Math.max(...times[key]))} ms`;
  return {
    rows: [
      row({ group: "startup", figure: "node -e 0", value: base, unit: "ms", target: "reference", note: `median of ${runs}; ${spread("node")}` }),
      row({
        group: "startup",
        figure: "commander only (import)",
        value: medians.commander,
        unit: "ms",
        baseline: base,
        baselineLabel: "node -e 0",
        ratio: medians.commander / base,
        target: "reference",
        note: spread("commander"),
      }),
      ...["help", "version"].map((key) =>
        row({
          group: "startup",
          figure: `pinwheel-cli --${key}`,
          value: medians[key],
          unit: "ms",
          baseline: base,
          baselineLabel: "node -e 0",
          ratio: medians[key] / base,
          target: "<= 1.30x",
          pass: medians[key] / base <= 1.3,
          note: spread(key),
        }),
      ),
      row({
        group: "startup",
        figure: "--version breakdown (in-process)",
        value: part("commander") + part("cli") + part("build"),
        unit: "ms",
        target: "reference",
        note: `import commander ${part("commander").toFixed(1)} ms + import dist/cli.js and its modules ${part("cli").toFixed(1)} ms + buildProgram() ${part("build").toFixed(1)} ms; median of 7`,
      }),
    ],
    raw: { times, breakdown: parts },
  };
}
