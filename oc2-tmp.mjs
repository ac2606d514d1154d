import Database from "better-sqlite3";
const db = new Database(process.argv[2]);
console.log("reader sees", db.prepare("select count(*) n from t").get());
db.close();
