/**
 * deliveries list, in-process on a real store: when --limit cut the list, stderr says how many
 * match and how to see them all, with --json as events list --json does (a script would otherwise
 * take 50 attempts for all of them), and under the table too; stdout stays one JSON array.
 */
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { openDatabase } from "../../src/store/database.js";
import { tempHome, type TempHome } from "../helpers/cli.js";
import { expectExit } from "../helpers/delivery-cli.js";
import { runInProcess } from "../helpers/in-process.js";

let home: TempHome | undefined;
afterEach(() => {
  home?.cleanup();
  home = undefined;
});

/** A store whose attempt log holds two attempts for event-a and one for event-b. */
function storeWithAttempts(): string {
  home = tempHome();
  const path = join(home.home, "store.db");
  const db = openDatabase(path);
  const attempt = db.prepare(
    "INSERT INTO deliveries (delivery_id, source, event, event_id, url, attempt, started_at, duration_ms, status_code) VALUES (?, 'simulate', 'income.added', ?, 'http://127.0.0.1:9/', ?, '2026-01-01T00:00:00Z', 1, ?)",
  );
  attempt.run("d-a", "event-a", 1, 500);
  attempt.run("d-a", "event-a", 2, 200);
  attempt.run("d-b", "event-b", 1, 200);
  db.close();
  return path;
}

const list = (path: string, args: string[]) => runInProcess(["deliveries", "list", "--db", path, ...args], { env: home!.env });

describe("deliveries list and --limit", () => {
  it("--json: a list cut by --limit says so on stderr; stdout stays one JSON array", async () => {
    const path = storeWithAttempts();
    const cut = await list(path, ["--limit", "2", "--json"]);
    expectExit(cut, 0);
    expect(JSON.parse(cut.stdout)).toHaveLength(2);
    expect(cut.stderr).toBe("2 of 3 shown; --limit 3 shows them all\n");

    const whole = await list(path, ["--limit", "3", "--json"]);
    expectExit(whole, 0);
    expect(JSON.parse(whole.stdout)).toHaveLength(3);
    expect(whole.stderr).toBe("");

    const quiet = await list(path, ["--limit", "2", "--json", "--quiet"]);
    expectExit(quiet, 0);
    expect(quiet.stderr).toBe("");
  });

  it("counts what --event-id matches, not the whole log", async () => {
    const path = storeWithAttempts();
    const cut = await list(path, ["--event-id", "event-a", "--limit", "1", "--json"]);
    expectExit(cut, 0);
    expect((JSON.parse(cut.stdout) as { status_code: number }[]).map((row) => row.status_code)).toEqual([200]);
    expect(cut.stderr).toBe("1 of 2 shown; --limit 2 shows them all\n");
    const whole = await list(path, ["--event-id", "event-b", "--limit", "1", "--json"]);
    expect(whole.stderr).toBe("");
  });

  it("the table says it too, after its rows", async () => {
    const path = storeWithAttempts();
    const cut = await list(path, ["--limit", "2"]);
    expectExit(cut, 0);
    expect(cut.stdout.trim().split("\n")).toHaveLength(3);
    expect(cut.stderr).toBe("2 of 3 shown; --limit 3 shows them all\n");
  });
});
