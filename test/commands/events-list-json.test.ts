/**
 * events list --json, in-process on a real store: the array is the whole of stdout, and when
 * --limit cut it, stderr says so as the table's footer does (a script would otherwise take 50 rows
 * for all of them).
 */
import { randomUUID } from "node:crypto";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { openDatabase } from "../../src/store/database.js";
import { requestStore } from "../../src/store/requests.js";
import { tempHome, type TempHome } from "../helpers/cli.js";
import { expectExit } from "../helpers/delivery-cli.js";
import { runInProcess } from "../helpers/in-process.js";
import { storedRow } from "../helpers/stored-requests.js";

let home: TempHome | undefined;
afterEach(() => {
  home?.cleanup();
  home = undefined;
});

describe("events list --json", () => {
  it("a list cut by --limit says on stderr how many match and how to see them all; stdout stays one JSON array", async () => {
    home = tempHome();
    const path = join(home.home, "store.db");
    const db = openDatabase(path);
    const store = requestStore(db);
    for (let i = 0; i < 3; i++) store.insert(storedRow(randomUUID()));
    db.close();
    const cut = await runInProcess(["events", "list", "--db", path, "--limit", "2", "--json"], { env: home.env });
    expectExit(cut, 0);
    expect(JSON.parse(cut.stdout)).toHaveLength(2);
    expect(cut.stderr).toBe("2 of 3 shown; --limit 3 shows them all\n");
    const whole = await runInProcess(["events", "list", "--db", path, "--limit", "3", "--json"], { env: home.env });
    expectExit(whole, 0);
    expect(JSON.parse(whole.stdout)).toHaveLength(3);
    expect(whole.stderr).toBe("");
    const quiet = await runInProcess(["events", "list", "--db", path, "--limit", "2", "--json", "--quiet"], { env: home.env });
    expect(quiet.stderr).toBe("");
  });
});
