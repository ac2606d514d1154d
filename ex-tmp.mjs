import Database from "better-sqlite3";
const db = new Database(process.argv[2]);
db.pragma("busy_timeout = 0");
db.pragma("locking_mode = EXCLUSIVE");
try { db.exec("BEGIN EXCLUSIVE"); db.exec("ROLLBACK"); console.log("got exclusive lock"); } catch (e) { console.log("refused:", e.code); }
db.close();
