/**
 * replay --all on a store larger than one page (through the BUILT binary): rows are read a page
 * at a time, oldest first, and only those stored before the replay began are sent.
 */
import { randomUUID } from "node:crypto";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { openDatabase } from "../../src/store/database.js";
import { requestStore } from "../../src/store/requests.js";
import { runCli, startListen, tempHome, type TempHome } from "../helpers/cli.js";
import { expectExit } from "../helpers/delivery-cli.js";
import { useRecordingServers } from "../helpers/servers.js";
import { storedRow } from "../helpers/stored-requests.js";

const SECRET = "replay-paging-secret";

let home: TempHome | undefined;
afterEach(() => {
  home?.cleanup();
  home = undefined;
});

const server = useRecordingServers();

/** Stores `count` requests straight into the file; by default every 100th one has a body that was too large to keep whole. */
function fillStore(path: string, count: number, isTruncated = (n: number) => n % 100 === 0): string[] {
  const db = openDatabase(path);
  const store = requestStore(db);
  const whole: string[] = [];
  db.transaction(() => {
    for (let n = 1; n <= count; n++) {
      const eventId = randomUUID();
      const truncated = isTruncated(n);
      store.insert(storedRow(eventId, truncated ? { bodyTruncated: true, bodySize: 2 * 1024 * 1024 } : {}));
      if (!truncated) whole.push(eventId);
    }
  })();
  db.close();
  return whole;
}

describe("replay --all, a page at a time", () => {
  it("sends every stored request of a store several pages long, oldest first, saying first which bodies it skips", async () => {
    home = tempHome();
    const db = join(home.home, "paging.db");
    const expected = fillStore(db, 1_234);
    const target = await server();
    const result = await runCli(["replay", "--all", "--db", db, "--to", target.url, "--secret", SECRET, "--concurrency", "1"], {
      env: home.env,
      timeoutMs: 60_000,
    });
    expectExit(result, 0);
    const sent = target.requests.map((received) => (JSON.parse(received.body.toString("utf8")) as { event_id: string }).event_id);
    expect(sent).toEqual(expected);
    expect(result.stderr).toContain("skipping 12 request(s) whose body was over 1 MiB");
    expect(result.stdout).toMatch(/1222 deliveries to .* 1222 2xx, 0 failed/);
  }, 90_000);

  it("replaying into a listen that stores into the same file sends only what was stored before, once", async () => {
    home = tempHome();
    const db = join(home.home, "same-file.db");
    // Over two pages, so rows stored during the replay would reach a later page if it looked.
    const expected = fillStore(db, 1_150);
    const listener = await startListen(["--secret", SECRET, "--db", db], home.env);
    try {
      const result = await runCli(["replay", "--all", "--db", db, "--to", listener.url, "--secret", SECRET], { env: home.env, timeoutMs: 60_000 });
      expectExit(result, 0);
      expect(result.stdout).toMatch(/1139 deliveries to .* 1139 2xx, 0 failed/);
    } finally {
      await listener.stop();
    }
    const check = openDatabase(db);
    const rows = check.prepare("SELECT event_id, duplicate FROM requests WHERE id > 1150 ORDER BY id").all() as { event_id: string; duplicate: number }[];
    check.close();
    expect(rows.map((row) => row.event_id).sort()).toEqual([...expected].sort());
    // Every replayed event_id was already accepted once: listen marks them as duplicates.
    expect(rows.every((row) => row.duplicate === 1)).toBe(true);
  }, 60_000);

  it("a selection of bodies none of which is stored whole sends nothing and says why", async () => {
    home = tempHome();
    const db = join(home.home, "truncated.db");
    fillStore(db, 3, () => true);
    const target = await server();
    const result = await runCli(["replay", "--all", "--db", db, "--to", target.url, "--secret", SECRET], { env: home.env });
    expectExit(result, 0);
    expect(result.stderr).toContain("skipping 3 request(s) whose body was over 1 MiB");
    expect(result.stderr).toContain("Nothing left to replay after the request(s) skipped above.");
    expect(target.requests).toEqual([]);
  });
});
