/**
 * Batches committed on the calling thread settle only once the write-ahead log holding their
 * rows is flushed: on this thread ("here") or on libuv's pool ("overlapped"). The flush is
 * injected so that a test can hold it back and fail it; SQLite and the files are real.
 */
import { fstatSync, mkdirSync, mkdtempSync, rmSync, statSync, symlinkSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import Database from "better-sqlite3";
import { afterEach, describe, expect, it } from "vitest";
import { WorkerCommitter, type CommitPlacement, type WalSync } from "../../src/store/commit-worker.js";
import { openDatabase } from "../../src/store/database.js";
import { waitUntil } from "../helpers/wait.js";

const INSERT = "INSERT INTO deliveries (delivery_id, source, url, attempt, started_at, duration_ms) VALUES (?, 'simulate', 'u', 1, 'now', 1) RETURNING id";

let dir: string;
const closing: (() => Promise<void>)[] = [];
afterEach(async () => {
  await Promise.all(closing.splice(0).map((close) => close()));
  rmSync(dir, { recursive: true, force: true });
});

/** A flush of the log that waits for the test to let it finish (or fail). */
function heldFlushes() {
  const held: { fd: number; finish(error?: Error): void }[] = [];
  const flushedNow: number[] = [];
  const walSync: WalSync = {
    now: (fd) => void flushedNow.push(fd),
    later: (fd, done) => void held.push({ fd, finish: (error) => done(error ?? null) }),
  };
  return { held, flushedNow, walSync };
}

function committerAt(path: string, placement: () => CommitPlacement, walSync: WalSync) {
  const committer = new WorkerCommitter<string, number>(path, INSERT, (id) => [id], (_, row) => (row as { id: number }).id, {
    checkpointedElsewhere: true,
    here: { placement, walSync },
  });
  const reader = new Database(path, { readonly: true });
  closing.push(async () => {
    reader.close();
    await committer.close();
  });
  return { committer, count: () => reader.prepare("SELECT count(*) FROM deliveries").pluck().get() as number };
}

function newStore(): string {
  dir = mkdtempSync(join(tmpdir(), "pinwheel-flush-"));
  const path = join(dir, "events.db");
  openDatabase(path).close();
  return path;
}

/** Whether a promise has settled by now (after the microtasks already queued). */
async function settled(promise: Promise<unknown>): Promise<boolean> {
  let done = false;
  void promise.then(
    () => (done = true),
    () => (done = true),
  );
  await new Promise((resolve) => setImmediate(resolve));
  return done;
}

const inode = (fd: number) => fstatSync(fd).ino;

describe("flushing the log of rows committed on the calling thread", () => {
  it("here: flushes the database's own log on this thread before a batch settles", async () => {
    const path = newStore();
    const flushes = heldFlushes();
    let settledAtFlush: boolean | undefined;
    let committedAtFlush: number | undefined;
    const { committer, count } = committerAt(path, () => "here", {
      ...flushes.walSync,
      now(fd) {
        flushes.flushedNow.push(fd);
        committedAtFlush = count();
        settledAtFlush = firstSettled;
      },
    });
    let firstSettled = false;
    const first = committer.submit("a").then((id) => {
      firstSettled = true;
      return id;
    });
    await expect(first).resolves.toBe(1);
    expect(flushes.flushedNow).toHaveLength(1);
    expect(committedAtFlush).toBe(1);
    expect(settledAtFlush).toBe(false);
    expect(inode(flushes.flushedNow[0]!)).toBe(statSync(`${path}-wal`).ino);
    expect(committer.batches).toEqual({ here: 1, overlapped: 0, worker: 0 });
  });

  it("overlapped: a committed batch waits for its flush; what arrives meanwhile is committed together once it is done", async () => {
    const path = newStore();
    const flushes = heldFlushes();
    const { committer, count } = committerAt(path, () => "overlapped", flushes.walSync);
    const a = committer.submit("a");
    await waitUntil(() => flushes.held.length === 1);
    expect(count()).toBe(1);
    expect(await settled(a)).toBe(false);

    const later = ["b", "c"].map((id) => committer.submit(id));
    await new Promise((resolve) => setTimeout(resolve, 20));
    // Not written while the flush is out: they go into the next transaction together.
    expect(count()).toBe(1);
    expect(flushes.held).toHaveLength(1);

    flushes.held[0]!.finish();
    await expect(a).resolves.toBe(1);
    await waitUntil(() => flushes.held.length === 2);
    expect(count()).toBe(3);
    expect(await settled(Promise.all(later))).toBe(false);
    flushes.held[1]!.finish();
    await expect(Promise.all(later)).resolves.toEqual([2, 3]);
    expect(committer.batches).toEqual({ here: 0, overlapped: 2, worker: 0 });
    expect(inode(flushes.held[0]!.fd)).toBe(statSync(`${path}-wal`).ino);
  });

  it("a flush on this thread settles the batches still waiting for the one aside, and the late one settles nothing twice", async () => {
    const path = newStore();
    const flushes = heldFlushes();
    let placement: CommitPlacement = "overlapped";
    const { committer } = committerAt(path, () => placement, flushes.walSync);
    const a = committer.submit("a");
    await waitUntil(() => flushes.held.length === 1);
    placement = "here";
    await expect(committer.submit("b")).resolves.toBe(2);
    await expect(a).resolves.toBe(1);
    flushes.held[0]!.finish();
    await expect(committer.submit("c")).resolves.toBe(3);
    expect(committer.batches).toEqual({ here: 2, overlapped: 1, worker: 0 });
  });

  it("a failed flush refuses every batch waiting (their senders retry), and the worker commits from then on", async () => {
    const path = newStore();
    const flushes = heldFlushes();
    const { committer, count } = committerAt(path, () => "overlapped", flushes.walSync);
    const a = committer.submit("a");
    await waitUntil(() => flushes.held.length === 1);
    const diskError = Object.assign(new Error("EIO: i/o error, fdatasync"), { code: "EIO" });
    flushes.held[0]!.finish(diskError);
    await expect(a).rejects.toThrow(/EIO/);
    await expect(committer.submit("b")).resolves.toBe(2);
    expect(count()).toBe(2);
    expect(committer.batches).toEqual({ here: 0, overlapped: 1, worker: 1 });
    expect(flushes.held).toHaveLength(1);
  });

  it("close() waits for a flush that is out and settles its batch", async () => {
    const path = newStore();
    const flushes = heldFlushes();
    const { committer } = committerAt(path, () => "overlapped", flushes.walSync);
    const a = committer.submit("a");
    await waitUntil(() => flushes.held.length === 1);
    const b = committer.submit("b");
    const closed = committer.close();
    expect(await settled(closed)).toBe(false);
    flushes.held[0]!.finish();
    await waitUntil(() => flushes.held.length === 2);
    flushes.held[1]!.finish();
    await closed;
    await expect(Promise.all([a, b])).resolves.toEqual([1, 2]);
  });

  it("flushes the log beside the real file when the database is opened through a symbolic link", async () => {
    newStore();
    const real = join(dir, "real");
    mkdirSync(real);
    openDatabase(join(real, "events.db")).close();
    symlinkSync(real, join(dir, "linked"));
    const flushes = heldFlushes();
    const { committer } = committerAt(join(dir, "linked", "events.db"), () => "here", flushes.walSync);
    await expect(committer.submit("a")).resolves.toBe(1);
    expect(committer.batches.here).toBe(1);
    expect(inode(flushes.flushedNow[0]!)).toBe(statSync(join(real, "events.db-wal")).ino);
  });
});
