import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import Database from "better-sqlite3";
import { afterEach, describe, expect, it } from "vitest";
import { WorkerCommitter } from "../../src/store/commit-worker.js";
import { openDatabase } from "../../src/store/database.js";
import { waitUntil } from "../helpers/wait.js";

const INSERT = "INSERT INTO deliveries (delivery_id, source, url, attempt, started_at, duration_ms) VALUES (?, 'simulate', 'u', 1, 'now', 1) RETURNING id";

let dir: string;
const committers: WorkerCommitter<string, number>[] = [];
afterEach(async () => {
  await Promise.all(committers.splice(0).map((committer) => committer.close()));
  rmSync(dir, { recursive: true, force: true });
});

const RENAME = "UPDATE deliveries SET delivery_id = ? WHERE id = ?";

function setup(options: ConstructorParameters<typeof WorkerCommitter>[4] = {}) {
  dir = mkdtempSync(join(tmpdir(), "pinwheel-commit-"));
  const path = join(dir, "events.db");
  openDatabase(path).close();
  const committer = new WorkerCommitter<string, number>(path, INSERT, (id) => [id], (_, row) => (row as { id: number }).id, options);
  committers.push(committer);
  return { path, committer };
}

describe("WorkerCommitter", () => {
  it("answers each item only once its row is committed, visible to another connection", async () => {
    const { path, committer } = setup();
    const ids = await Promise.all(["a", "b", "c"].map((id) => committer.submit(id)));
    expect(ids).toEqual([1, 2, 3]);
    const reader = new Database(path, { readonly: true });
    expect(reader.prepare("SELECT delivery_id FROM deliveries ORDER BY id").pluck().all()).toEqual(["a", "b", "c"]);
    reader.close();
  });

  it("gives each item its own row, in submission order, when items arrive over many turns of the event loop", async () => {
    const { path, committer } = setup();
    const pending: Promise<number>[] = [];
    for (let turn = 0; turn < 20; turn++) {
      for (let i = 0; i < 1 + (turn % 4); i++) pending.push(committer.submit(`t${turn}-${i}`));
      await new Promise((resolve) => setImmediate(resolve));
    }
    const ids = await Promise.all(pending);
    expect(ids).toEqual(pending.map((_, index) => index + 1));
    const reader = new Database(path, { readonly: true });
    const rows = reader.prepare("SELECT id, delivery_id FROM deliveries ORDER BY id").all() as { id: number; delivery_id: string }[];
    reader.close();
    const submitted = [];
    for (let turn = 0; turn < 20; turn++) for (let i = 0; i < 1 + (turn % 4); i++) submitted.push(`t${turn}-${i}`);
    expect(rows.map((row) => row.delivery_id)).toEqual(submitted);
  });

  it("waits out another connection's write lock while the event loop keeps turning", async () => {
    const { path, committer } = setup();
    const holder = new Database(path);
    holder.exec("BEGIN IMMEDIATE");
    let ticks = 0;
    const ticker = setInterval(() => ticks++, 5);
    const pending = committer.submit("locked-out");
    // The lock is held until the event loop has visibly kept turning.
    await waitUntil(() => ticks > 10);
    holder.exec("COMMIT");
    holder.close();
    await expect(pending).resolves.toBe(1);
    clearInterval(ticker);
    expect(ticks).toBeGreaterThan(10);
  });

  it("runs a named statement in turn with the items, on either writer, settling once committed", async () => {
    for (const here of [false, true]) {
      const { path, committer } = setup({ statements: { rename: RENAME }, here: { commitHere: () => here } });
      const first = committer.submit("first");
      const renamed = committer.run("rename", ["renamed", 1]);
      const second = committer.submit("second");
      // Submitted after the rename, in a later turn: it sees the rename's row already there.
      const renamedAgain = (async () => {
        await renamed;
        return committer.run("rename", ["again", 2]);
      })();
      await expect(Promise.all([first, renamed, second, renamedAgain])).resolves.toEqual([1, undefined, 2, undefined]);
      const reader = new Database(path, { readonly: true });
      expect(reader.prepare("SELECT delivery_id FROM deliveries ORDER BY id").pluck().all()).toEqual(["renamed", "again"]);
      reader.close();
      expect(committer.batches[here ? "here" : "worker"]).toBeGreaterThan(0);
      await committer.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("refuses a statement it was not given", async () => {
    const { committer } = setup({ statements: { rename: RENAME } });
    await expect(committer.run("drop", [])).rejects.toThrow(/no statement named "drop"/);
  });

  it("rejects the batch's items when the statement fails, and keeps working", async () => {
    const { committer } = setup();
    const failing = new WorkerCommitter<string, number>(join(dir, "events.db"), "INSERT INTO nowhere VALUES (?) RETURNING 1", (id) => [id], () => 0);
    await expect(failing.submit("x")).rejects.toThrow(/no such table/);
    await failing.close();
    await expect(committer.submit("after")).resolves.toBe(1);
  });

  it("closing twice waits for the same shutdown; a submit after close is refused, not left hanging", async () => {
    const { committer } = setup();
    const last = committer.submit("before-close");
    await Promise.all([committer.close(), committer.close()]);
    committers.splice(0);
    await expect(last).resolves.toBe(1);
    await expect(committer.submit("after-close")).rejects.toThrow(/closed/);
  });

  it("runs a completer module on each item's parameters in the worker, inside the INSERT, and hands back what it returned", async () => {
    const { path } = setup();
    // Plain JavaScript, as the worker needs: it fills the URL in from the id and says which thread it ran on.
    const module = join(dir, "completer.mjs");
    writeFileSync(
      module,
      `import { isMainThread } from "node:worker_threads";
       export function completeParams(params) {
         params.push("https://example.test/" + params[0]);
         return { onMainThread: isMainThread, id: params[0] };
       }`,
    );
    const completing = new WorkerCommitter<string, { id: number; completed: unknown }>(
      path,
      "INSERT INTO deliveries (delivery_id, source, url, attempt, started_at, duration_ms) VALUES (?, 'simulate', ?, 1, 'now', 1) RETURNING id",
      (id) => [id],
      (_, row, completed) => ({ id: (row as { id: number }).id, completed }),
      { completer: pathToFileURL(module).href },
    );
    const results = await Promise.all(["a", "b"].map((id) => completing.submit(id)));
    await completing.close();
    expect(results).toEqual([
      { id: 1, completed: { onMainThread: false, id: "a" } },
      { id: 2, completed: { onMainThread: false, id: "b" } },
    ]);
    const reader = new Database(path, { readonly: true });
    expect(reader.prepare("SELECT url FROM deliveries ORDER BY id").pluck().all()).toEqual(["https://example.test/a", "https://example.test/b"]);
    reader.close();
  });

  it("fails each batch, in words, when its completer module cannot be imported", async () => {
    const { path } = setup();
    const broken = new WorkerCommitter<string, number>(path, INSERT, (id) => [id], () => 0, { completer: pathToFileURL(join(dir, "missing.mjs")).href });
    await expect(broken.submit("x")).rejects.toThrow(/missing\.mjs/);
    await broken.close();
  });

  it("commits on the calling thread while commitHere() says so, and hands the worker what comes after", async () => {
    const { path } = setup();
    let here = true;
    const thread: string[] = [];
    const switching = new WorkerCommitter<string, { id: number; completed: unknown }>(
      path,
      "INSERT INTO deliveries (delivery_id, source, url, attempt, started_at, duration_ms) VALUES (?, 'simulate', ?, 1, 'now', 1) RETURNING id",
      (id) => [id, "from the worker's completer"],
      (_, row, completed) => ({ id: (row as { id: number }).id, completed }),
      {
        here: {
          commitHere: () => here,
          complete(params) {
            thread.push(String(params[0]));
            params[1] = `https://example.test/${String(params[0])}`;
            return "completed here";
          },
        },
      },
    );
    const reader = new Database(path, { readonly: true });
    const count = reader.prepare("SELECT count(*) FROM deliveries").pluck();
    try {
      const first = await Promise.all(["a", "b"].map((id) => switching.submit(id)));
      expect(first).toEqual([
        { id: 1, completed: "completed here" },
        { id: 2, completed: "completed here" },
      ]);
      // Committed (another connection sees the rows) before the promises settled.
      expect(count.get()).toBe(2);
      here = false;
      const later = await switching.submit("c");
      expect(later).toEqual({ id: 3, completed: undefined });
      here = true;
      await expect(switching.submit("d")).resolves.toEqual({ id: 4, completed: "completed here" });
      expect(thread).toEqual(["a", "b", "d"]);
      expect(reader.prepare("SELECT url FROM deliveries ORDER BY id").pluck().all()).toEqual([
        "https://example.test/a",
        "https://example.test/b",
        "from the worker's completer",
        "https://example.test/d",
      ]);
    } finally {
      reader.close();
      await switching.close();
    }
  });

  it("never waits for another connection's write lock on the calling thread: the worker waits it out while the event loop keeps turning", async () => {
    const { path } = setup();
    const committer = new WorkerCommitter<string, number>(path, INSERT, (id) => [id], (_, row) => (row as { id: number }).id, { here: { commitHere: () => true } });
    const holder = new Database(path);
    holder.exec("BEGIN IMMEDIATE");
    let ticks = 0;
    const ticker = setInterval(() => ticks++, 5);
    try {
      const pending = committer.submit("locked-out");
      await waitUntil(() => ticks > 10);
      holder.exec("COMMIT");
      await expect(pending).resolves.toBe(1);
      expect(ticks).toBeGreaterThan(10);
      // And once the lock is free, on the calling thread again.
      await expect(committer.submit("free")).resolves.toBe(2);
    } finally {
      clearInterval(ticker);
      holder.close();
      await committer.close();
    }
  });

  it("rejects a batch committed on the calling thread when its statement fails, and keeps working", async () => {
    const { path } = setup();
    const committer = new WorkerCommitter<string, number>(path, INSERT, (id) => [id], (_, row) => (row as { id: number }).id, {
      here: {
        commitHere: () => true,
        complete(params) {
          if (params[0] === "bad") throw new Error("cannot complete this one");
        },
      },
    });
    try {
      await expect(Promise.all(["ok", "bad"].map((id) => committer.submit(id)))).rejects.toThrow(/cannot complete/);
      // The failed batch left nothing behind: its transaction rolled back.
      await expect(committer.submit("after")).resolves.toBe(1);
    } finally {
      await committer.close();
    }
  });

  it("commits what is still pending when closed", async () => {
    const { path, committer } = setup();
    const last = committer.submit("late");
    await committer.close();
    committers.splice(0);
    await expect(last).resolves.toBe(1);
    const reader = new Database(path, { readonly: true });
    expect(reader.prepare("SELECT count(*) FROM deliveries").pluck().get()).toBe(1);
    reader.close();
  });
});
