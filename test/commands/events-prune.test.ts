/**
 * `events prune` deletes stored requests received before a time (or all of them) and the attempts
 * that replayed them, in batches, while another connection (a running listen) keeps using the store.
 */
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { openDatabase, type Db } from "../../src/store/database.js";
import { requestStore } from "../../src/store/requests.js";
import { tempHome, type TempHome } from "../helpers/cli.js";
import { runInProcess } from "../helpers/in-process.js";
import { expectExit, expectOneLineError } from "../helpers/delivery-cli.js";
import { storedRow } from "../helpers/stored-requests.js";

let home: TempHome | undefined;
const open: Db[] = [];
afterEach(() => {
  for (const db of open.splice(0)) db.close();
  home?.cleanup();
  home = undefined;
});

const DAY = 24 * 60 * 60 * 1000;

/** A store with `old` requests from 10 days ago (each replayed once), `recent` from now, and one simulate attempt; the connection stays open, as listen's would. */
function storeWith(old: number, recent: number): { path: string; listen: Db } {
  home = tempHome();
  const path = join(home.home, "events.db");
  const listen = openDatabase(path);
  open.push(listen);
  const store = requestStore(listen);
  const attempt = listen.prepare(
    "INSERT INTO deliveries (delivery_id, source, request_id, url, attempt, started_at, duration_ms) VALUES (?, ?, ?, 'http://127.0.0.1:9/', 1, '2026-01-01T00:00:00Z', 1)",
  );
  listen.transaction(() => {
    for (let i = 0; i < old; i++) {
      const row = store.insert(storedRow(`old-${i}`, { receivedAt: new Date(Date.now() - 10 * DAY).toISOString() }));
      attempt.run(`replay-${i}`, "replay", row.id);
    }
    for (let i = 0; i < recent; i++) store.insert(storedRow(`new-${i}`));
    attempt.run("simulated", "simulate", null);
  })();
  return { path, listen };
}

const run = (args: string[]) => runInProcess(["events", "prune", ...args], { env: home!.env });

describe("events prune", () => {
  it("refuses with exit 2 when neither --before nor --all says what to delete", async () => {
    const { path } = storeWith(1, 0);
    const result = await run(["--db", path, "--yes"]);
    expectExit(result, 2);
    expect(expectOneLineError(result.stderr)).toMatch(/--before <when> .* or --all/);
  });

  it("off a terminal asks for --yes, deleting nothing; --dry-run counts", async () => {
    const { path, listen } = storeWith(3, 2);
    const refused = await run(["--db", path, "--before", "7d"]);
    expectExit(refused, 2);
    expect(expectOneLineError(refused.stderr)).toMatch(/deletes 3 stored requests and 3 delivery attempts of them; confirm with --yes/);
    const dry = await run(["--db", path, "--before", "7d", "--dry-run", "--json"]);
    expectExit(dry, 0);
    expect(JSON.parse(dry.stdout)).toEqual({ deleted: 3, deleted_attempts: 3, dry_run: true });
    expect(requestStore(listen).count()).toBe(5);
  });

  it("deletes what came before --before and their replays, in batches, while listen's connection keeps writing", async () => {
    const { path, listen } = storeWith(1200, 2);
    const result = await run(["--db", path, "--before", "7d", "--yes", "--json"]);
    expectExit(result, 0);
    const report = JSON.parse(result.stdout) as Record<string, unknown>;
    expect(report).toMatchObject({ deleted: 1200, deleted_attempts: 1200, dry_run: false, vacuumed: false });
    expect(report.bytes_before).toEqual(expect.any(Number));
    expect(report.bytes_after).toEqual(expect.any(Number));
    // The open connection sees the result and still stores requests.
    const store = requestStore(listen);
    expect(store.list({ limit: 10 }).map((row) => row.eventId).sort()).toEqual(["new-0", "new-1"]);
    store.insert(storedRow("after-prune"));
    expect(store.count()).toBe(3);
    expect(listen.prepare("SELECT delivery_id FROM deliveries").pluck().all()).toEqual(["simulated"]);
  });

  it("--all --vacuum empties the store and shrinks the file", async () => {
    const { path } = storeWith(500, 500);
    const result = await run(["--db", path, "--all", "--yes", "--vacuum", "--json"]);
    expectExit(result, 0);
    const report = JSON.parse(result.stdout) as { deleted: number; bytes_before: number; bytes_after: number };
    expect(report.deleted).toBe(1000);
    expect(report.bytes_after).toBeLessThan(report.bytes_before);
  });
});

describe("events prune and the ids of later requests", () => {
  it("numbers requests stored after --all past every deleted id, so an id never names two requests", async () => {
    const { path, listen } = storeWith(0, 3);
    expectExit(await run(["--db", path, "--all", "--yes"]), 0);
    // listen's connection, opened before the prune, stores the next request.
    expect(requestStore(listen).insert(storedRow("after-prune")).id).toBe(4);
  });

  it("does the same when --before deletes the newest rows, and across a reopen and --vacuum", async () => {
    const { path, listen } = storeWith(3, 0);
    listen.close();
    open.splice(0);
    expectExit(await run(["--db", path, "--before", "7d", "--yes", "--vacuum"]), 0);
    const reopened = openDatabase(path);
    open.push(reopened);
    expect(requestStore(reopened).insert(storedRow("after-prune")).id).toBe(4);
    expect(requestStore(reopened).deletedUpTo()).toBe(3);
  });

  it("with nothing to delete prints the same --json fields as a prune that deleted, and --vacuum still shrinks the file", async () => {
    const { path } = storeWith(0, 0);
    const nothing = await run(["--db", path, "--all", "--json"]);
    expectExit(nothing, 0);
    expect(JSON.parse(nothing.stdout)).toEqual({ deleted: 0, deleted_attempts: 0, dry_run: false, vacuumed: false, bytes_before: expect.any(Number), bytes_after: expect.any(Number) });
    const vacuumed = await run(["--db", path, "--all", "--vacuum", "--json"]);
    expectExit(vacuumed, 0);
    expect(JSON.parse(vacuumed.stdout)).toMatchObject({ deleted: 0, vacuumed: true });
  });
});
