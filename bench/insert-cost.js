// CPU per stored row of listen's INSERT (INSERT_REQUEST_SQL, 18 columns and the duplicate probe),
// in group-commit transactions of a given size, against a schema variant. In-process, one thread,
// real file, WAL, synchronous=FULL: user and sys CPU per row, steadier than rates on a busy machine.
//   node bench/insert-cost.js [--rows 6000] [--batch 5,20] [--variant full,...] [--validate]
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import Database from "better-sqlite3";
import { MIGRATIONS, STORE_INFO_TABLE } from "../dist/store/migrations.js";
import { INSERT_REQUEST_SQL, insertParams } from "../dist/store/requests.js";
import { median } from "./lib/stats.js";
import { syntheticRows } from "./lib/synthetic-row.js";

const { values } = parseArgs({
  options: {
    rows: { type: "string", default: "6000" },
    batch: { type: "string", default: "5,20" },
    variant: { type: "string", default: "full" },
    repeat: { type: "string", default: "3" },
    prefill: { type: "string", default: "20000" },
  },
});

// Each variant is the requests table's schema as SQL: today's, the one before migration 5 (every
// filter index whole), or with no index but event_id's (what the bare receiver keeps).
const FIRST_MIGRATION = MIGRATIONS[0];
// Every migration in order: a later one may drop an index an earlier one made (5 drops deliveries_event_id).
const LATEST = MIGRATIONS.join("\n");
export const VARIANTS = {
  full: LATEST,
  "before-5": MIGRATIONS.slice(0, 4).join("\n"),
  "event-id-only": FIRST_MIGRATION.replace(/CREATE INDEX requests_(event|account_id|verification|received_at) ON requests \([^)]*\);/g, ""),
};
const newRow = await syntheticRows(new URL("../dist/", import.meta.url).href);

function measure(variant, batch, rows, prefill) {
  const dir = mkdtempSync(join(tmpdir(), "insert-cost-"));
  try {
    const db = new Database(join(dir, "x.db"));
    db.pragma("journal_mode = WAL");
    db.pragma("synchronous = FULL");
    db.exec(VARIANTS[variant]);
    db.exec(STORE_INFO_TABLE);
    const statement = db.prepare(INSERT_REQUEST_SQL);
    const write = db.transaction((list) => list.map((params) => statement.get(params)));
    const fill = db.transaction((n) => { for (let i = 0; i < n; i++) statement.get(insertParams(newRow())); });
    fill(prefill);
    db.pragma("wal_checkpoint(TRUNCATE)");
    const batches = [];
    for (let i = 0; i < rows / batch; i++) batches.push(Array.from({ length: batch }, () => insertParams(newRow())));
    const cpu = process.cpuUsage();
    const started = performance.now();
    for (const list of batches) write.immediate(list);
    const used = process.cpuUsage(cpu);
    const wall = performance.now() - started;
    db.close();
    return { user: used.user / rows, sys: used.system / rows, wall: (wall * 1000) / rows };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const rows = Number(values.rows);
for (const batch of values.batch.split(",").map(Number)) {
  for (const variant of values.variant.split(",")) {
    const runs = [];
    for (let i = 0; i < Number(values.repeat); i++) runs.push(measure(variant, batch, rows, Number(values.prefill)));
    const m = (k) => median(runs.map((r) => r[k])).toFixed(1);
    console.log(`batch ${String(batch).padStart(2)}  ${variant.padEnd(16)} user ${m("user")} us/row  sys ${m("sys")} us/row  wall ${m("wall")} us/row`);
  }
}
