import Database from "better-sqlite3";
const db = new Database(process.argv[2]);
console.log(db.pragma("journal_mode", { simple: true }), db.prepare("select max(id) m from requests").get());
db.close();
