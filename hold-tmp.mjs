import Database from "better-sqlite3";
import { openSync, closeSync } from "node:fs";
const f = process.argv[2];
const db = new Database(f); db.pragma("journal_mode = WAL"); db.exec("create table if not exists t(x)"); db.prepare("insert into t values (1)").run();
console.log("opened", process.pid);
setTimeout(() => { if (process.argv[3] === "drop") { closeSync(openSync(f, "a")); console.log("dropped"); } }, 500);
setTimeout(() => { db.prepare("insert into t values (2)").run(); console.log("wrote 2"); }, 2500);
setTimeout(() => { db.close(); }, 4000);
