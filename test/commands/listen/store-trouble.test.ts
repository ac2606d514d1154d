/**
 * listen when its store cannot take rows: a store that fails (a full disk) is said once, then once
 * when it works again, with an NDJSON line per 503 and the count in the stop line; a store file
 * deleted under it is found within a second or two, said loudly, and from then on every request
 * is answered 503 rather than 200 into a file no one can open; the stop line says what this run
 * stored, not the whole file. The BUILT binary, against real SQLite files.
 */
import { rmSync } from "node:fs";
import { join } from "node:path";
import Database from "better-sqlite3";
import { describe, expect, it } from "vitest";
import { openDatabase } from "../../../src/store/database.js";
import { useListenRuns } from "../../helpers/listen-runs.js";
import { waitUntil } from "../../helpers/wait.js";
import { sendSignedEvent } from "../../helpers/send-signed.js";

const SECRET = "listen-store-trouble-secret";
const runs = useListenRuns("SIGKILL");

const sendEvent = (url: string) => sendSignedEvent(url, SECRET);

const warnings = (stderr: string) => stderr.split("\n").filter((line) => line.startsWith("warning: "));

describe("listen on a store that cannot take rows", () => {
  it("says a failing store once, and once when it works again; a 503 line each; the count when it stops", async () => {
    const home = runs.tempHome();
    const dbPath = join(home.home, "full.db");
    // A store that fails each INSERT while `failing` says so, as a full disk would.
    const setup = openDatabase(dbPath);
    setup.exec(`CREATE TABLE failing (on_ INTEGER); INSERT INTO failing VALUES (1);
      CREATE TRIGGER full_disk BEFORE INSERT ON requests WHEN (SELECT on_ FROM failing) = 1
      BEGIN SELECT RAISE(ABORT, 'database or disk is full'); END;`);
    setup.close();
    const listener = await runs.startListen(["--secret", SECRET, "--db", dbPath], home.env);
    for (let i = 0; i < 3; i++) expect(await sendEvent(listener.url)).toBe(503);
    const refused = (await listener.waitFor(() => listener.lines().length >= 3)) && listener.lines().slice(0, 3);
    expect(refused).toEqual(
      Array(3).fill(expect.objectContaining({ type: "request", id: null, event: "income.added", status_code: 503, stored: false, not_stored_reason: "database or disk is full" })),
    );
    const fixed = new Database(dbPath);
    fixed.pragma("busy_timeout = 5000");
    fixed.exec("UPDATE failing SET on_ = 0");
    fixed.close();
    expect(await sendEvent(listener.url)).toBe(200);
    await listener.waitFor((line) => (line as { type?: string; id?: unknown }).type === "request" && typeof (line as { id?: unknown }).id === "number");
    const { stderr } = await listener.stop("SIGINT");
    expect(warnings(stderr)).toEqual([
      "warning: requests cannot be stored (database or disk is full): each is answered 503, which Pinwheel retries; this is said again only once storing works again",
      "warning: storing requests works again; 3 request(s) were answered 503 unstored meanwhile (the sender retries them)",
    ]);
    expect(stderr.trim().split("\n").at(-1)).toBe(
      `interrupted (Ctrl+C); stopped; 1 request(s) stored by this run in ${dbPath} (1 in all; "pinwheel-cli events list" shows them); 3 request(s) could not be stored and were answered 503 (the sender retries them)`,
    );
    expect(listener.lines().at(-1)).toEqual({ type: "stopped", stored: 1, stored_this_run: 1, not_stored: 3, store_gone: null, db: dbPath });
  }, 30_000);

  it("says what this run stored, and the store's total apart", async () => {
    const home = runs.tempHome();
    const dbPath = join(home.home, "events.db");
    const first = await runs.startListen(["--secret", SECRET, "--db", dbPath], home.env);
    for (let i = 0; i < 2; i++) expect(await sendEvent(first.url)).toBe(200);
    await first.stop("SIGTERM");
    const second = await runs.startListen(["--secret", SECRET, "--db", dbPath], home.env);
    expect(await sendEvent(second.url)).toBe(200);
    await second.waitFor((line) => (line as { type?: string }).type === "request");
    const { stderr } = await second.stop("SIGINT");
    expect(stderr.trim().split("\n").at(-1)).toBe(`interrupted (Ctrl+C); stopped; 1 request(s) stored by this run in ${dbPath} (3 in all; "pinwheel-cli events list" shows them)`);
    expect(second.lines().at(-1)).toMatchObject({ type: "stopped", stored: 3, stored_this_run: 1, not_stored: 0 });
  }, 30_000);

  it("finds its store file deleted, says so once, answers 503 from then on and never claims rows are stored there", async () => {
    const home = runs.tempHome();
    const dbPath = join(home.home, "events.db");
    const listener = await runs.startListen(["--secret", SECRET, "--db", dbPath], home.env);
    expect(await sendEvent(listener.url)).toBe(200);
    for (const suffix of ["", "-wal", "-shm"]) rmSync(`${dbPath}${suffix}`, { force: true });
    // The checkpointer looks once a second.
    const answers: number[] = [];
    await waitUntil(async () => {
      answers.push(await sendEvent(listener.url));
      return answers.at(-1) === 503;
    }, 5_000);
    expect(await sendEvent(listener.url)).toBe(503);
    const { stderr } = await listener.stop("SIGINT");
    const gone = warnings(stderr);
    // A connection to the path may create a new file there after the rm: that reads "replaced".
    const how = (listener.lines().at(-1) as { store_gone: string }).store_gone;
    expect(["deleted", "replaced"]).toContain(how);
    const said = how === "deleted" ? "deleted" : "deleted or replaced (the path names another file now)";
    expect(gone).toEqual([
      `warning: the store ${dbPath} was ${said} while listen ran: the ${answers.length} request(s) this run stored are not in the file at that path, and from now on every request is answered 503 unstored (Pinwheel retries it); restart listen to store into a new file`,
    ]);
    const last = stderr.trim().split("\n").at(-1)!;
    expect(last).toBe(
      `interrupted (Ctrl+C); stopped; ${answers.length} request(s) stored by this run went into ${dbPath}, which was ${said} while listen ran: they are not in the file at that path; 2 request(s) could not be stored and were answered 503 (the sender retries them)`,
    );
    expect(listener.lines().at(-1)).toEqual({ type: "stopped", stored: null, stored_this_run: answers.length, not_stored: 2, store_gone: how, db: dbPath });
    expect(listener.lines().filter((line) => (line as { stored?: boolean }).stored === false)).toHaveLength(2);
  }, 30_000);
});
