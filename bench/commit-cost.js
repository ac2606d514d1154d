// CPU per row of the receiver's commit path without HTTP: rows submitted in groups of --batch
// (each group waits for the previous one, as connections wait for their answers), through the
// commit worker (src/store/commit-worker.ts, with the built validator) or committed on this thread.
// Reports each thread's CPU (/proc/self/task) per row.
//   node bench/commit-cost.js [--rows 8000] [--batch 5,20] [--mode worker,inline] [--build DIR]
import { mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { pathToFileURL } from "node:url";
import { parseArgs } from "node:util";
import { median } from "./lib/stats.js";
import { syntheticRows } from "./lib/synthetic-row.js";

const { values } = parseArgs({
  options: {
    rows: { type: "string", default: "8000" },
    batch: { type: "string", default: "5,20" },
    mode: { type: "string", default: "worker,inline" },
    build: { type: "string", default: "." },
    repeat: { type: "string", default: "3" },
  },
});
const dist = pathToFileURL(join(resolve(values.build), "dist/")).href;
const { openDatabase } = await import(`${dist}store/database.js`);
const { INSERT_REQUEST_SQL, insertParams, SCHEMA_ERRORS_FROM_BODY, SCHEMA_ERRORS_PARAM } = await import(`${dist}store/requests.js`);
const { WorkerCommitter } = await import(`${dist}store/commit-worker.js`);
const { completeParams } = await import(`${dist}receiver/validate-in-worker.js`);

const newRow = await syntheticRows(dist);
const toParams = (row) => {
  const params = insertParams(row);
  params[SCHEMA_ERRORS_PARAM] = SCHEMA_ERRORS_FROM_BODY;
  return params;
};
const fromRow = (row, inserted, completed) => {
  row.id = inserted.id;
  row.duplicate = inserted.duplicate === 1;
  if (completed !== undefined) row.schemaErrors = completed;
  return row;
};

class InlineCommitter {
  constructor(db) {
    const statement = db.prepare(INSERT_REQUEST_SQL);
    this.queue = [];
    this.write = db.transaction((batch) => batch.map((p) => { const params = toParams(p.item); completeParams(params); return statement.get(params); })).immediate;
  }
  submit(item) {
    return new Promise((resolve, reject) => {
      this.queue.push({ item, resolve, reject });
      if (this.queue.length === 1) setImmediate(() => this.commit());
    });
  }
  commit() {
    const batch = this.queue;
    this.queue = [];
    const rows = this.write(batch);
    batch.forEach((p, i) => p.resolve(fromRow(p.item, rows[i])));
  }
  close() { return Promise.resolve(); }
}

const CLK_TCK = 100;
function threadCpu() {
  const out = {};
  for (const tid of readdirSync("/proc/self/task")) {
    const stat = readFileSync(`/proc/self/task/${tid}/stat`, "utf8");
    const f = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    out[tid === String(process.pid) ? "main" : tid] = ((Number(f[11]) + Number(f[12])) * 1e6) / CLK_TCK;
  }
  return out;
}

async function measure(mode, batch, rows) {
  const dir = mkdtempSync(join(tmpdir(), "commit-cost-"));
  const path = join(dir, "x.db");
  const db = openDatabase(path);
  const committer = mode === "worker"
    ? new WorkerCommitter(path, INSERT_REQUEST_SQL, toParams, fromRow, { completer: `${dist}receiver/validate-in-worker.js` })
    : new InlineCommitter(db);
  // Warm up: zod and V8 need thousands of rows.
  for (let i = 0; i < 6000 / batch; i++) await Promise.all(Array.from({ length: batch }, () => committer.submit(newRow())));
  const groups = Array.from({ length: rows / batch }, () => Array.from({ length: batch }, newRow));
  const before = threadCpu();
  const started = performance.now();
  for (const group of groups) await Promise.all(group.map((row) => committer.submit(row)));
  const wall = performance.now() - started;
  const after = threadCpu();
  await committer.close();
  db.close();
  rmSync(dir, { recursive: true, force: true });
  const perThread = Object.entries(after).map(([k, v]) => [k, (v - (before[k] ?? 0)) / rows]).filter(([, v]) => v >= 0.5);
  return { wall: (wall * 1000) / rows, total: perThread.reduce((n, [, v]) => n + v, 0), main: perThread.find(([k]) => k === "main")?.[1] ?? 0, perThread };
}

for (const batch of values.batch.split(",").map(Number)) {
  for (const mode of values.mode.split(",")) {
    const runs = [];
    for (let i = 0; i < Number(values.repeat); i++) runs.push(await measure(mode, batch, Number(values.rows)));
    const m = (k) => median(runs.map((r) => r[k])).toFixed(0);
    console.log(`batch ${String(batch).padStart(2)} ${mode.padEnd(7)} cpu ${m("total")} us/row (main ${m("main")}), wall ${m("wall")} us/row; threads: ${runs[0].perThread.map(([k, v]) => `${k} ${v.toFixed(0)}`).join(", ")}`);
  }
}
