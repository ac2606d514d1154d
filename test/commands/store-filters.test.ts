/**
 * The commands that read the event store (through the BUILT binary): a typo in a filter or in
 * --db is a usage error or a failure with one clear line, never an empty answer with exit 0.
 */
import { randomUUID } from "node:crypto";
import { existsSync } from "node:fs";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { openDatabase } from "../../src/store/database.js";
import { requestStore } from "../../src/store/requests.js";
import { runCli, tempHome, type TempHome } from "../helpers/cli.js";
import { expectExit, expectOneLineError } from "../helpers/delivery-cli.js";
import { useRecordingServers } from "../helpers/servers.js";
import { storedRow } from "../helpers/stored-requests.js";

let home: TempHome | undefined;
afterEach(() => {
  home?.cleanup();
  home = undefined;
});

const server = useRecordingServers();

/** Two verified income.added, one event no catalog knows (stored under its own name), one body too large to keep. */
function fillStore(path: string): { truncatedId: number } {
  const db = openDatabase(path);
  const store = requestStore(db);
  store.insert(storedRow(randomUUID()));
  store.insert(storedRow(randomUUID()));
  store.insert(storedRow(randomUUID(), { event: "custom.thing", verification: "bad_signature", statusCode: 401 }));
  const truncated = store.insert(storedRow(randomUUID(), { bodyTruncated: true, bodySize: 2 * 1024 * 1024 }));
  db.close();
  return { truncatedId: truncated.id };
}

async function cli(args: string[]) {
  return runCli(args, { env: home!.env });
}

describe("filters over the event store", () => {
  it("a misspelt --event or --verdict is a usage error with a suggestion, in events list and in replay", async () => {
    home = tempHome();
    const db = join(home.home, "store.db");
    fillStore(db);
    const target = await server();

    const event = await cli(["events", "list", "--db", db, "--event", "income.add"]);
    expectExit(event, 2);
    expect(expectOneLineError(event.stderr)).toMatch(/unknown event "income.add"; did you mean "income.added"/);

    const verdict = await cli(["events", "list", "--db", db, "--verdict", "bad_sig"]);
    expectExit(verdict, 2);
    expect(expectOneLineError(verdict.stderr)).toMatch(/unknown verdict "bad_sig"; did you mean "bad_signature"/);

    const replay = await cli(["replay", "--db", db, "--event", "income.add", "--to", target.url]);
    expectExit(replay, 2);
    expect(expectOneLineError(replay.stderr)).toMatch(/did you mean "income.added"/);
    const replayVerdict = await cli(["replay", "--db", db, "--verdict", "stale", "--to", target.url]);
    expectExit(replayVerdict, 2);
    expect(expectOneLineError(replayVerdict.stderr)).toMatch(/unknown verdict "stale"; did you mean "stale_timestamp"/);
    expect(target.requests).toEqual([]);
  });

  it("an event name no catalog knows is a fine filter when requests carry it; a known name with none stored is an empty answer", async () => {
    home = tempHome();
    const db = join(home.home, "store.db");
    fillStore(db);

    const custom = await cli(["events", "list", "--db", db, "--event", "custom.thing", "--json"]);
    expectExit(custom, 0);
    expect((JSON.parse(custom.stdout) as { event: string }[]).map((row) => row.event)).toEqual(["custom.thing"]);

    const none = await cli(["events", "list", "--db", db, "--event", "paystubs.added", "--verdict", "failed"]);
    expectExit(none, 0);
    expect(none.stderr).toContain("No stored request matches these filters (4 stored in all).");
  });

  it("an empty store says so and how to fill it", async () => {
    home = tempHome();
    const empty = await cli(["events", "list"]);
    expectExit(empty, 0);
    expect(empty.stderr).toMatch(/No requests stored yet\. Start a receiver with "pinwheel-cli listen"/);
  });

  it("deliveries list tells an event_id nobody sent from an empty log", async () => {
    home = tempHome();
    const empty = await cli(["deliveries", "list", "--event-id", "nope"]);
    expectExit(empty, 0);
    expect(empty.stderr).toContain("No deliveries recorded yet");
    const target = await server();
    expectExit(await cli(["simulate", "income.added", "--to", target.url]), 0);
    const none = await cli(["deliveries", "list", "--event-id", "nope"]);
    expectExit(none, 0);
    expect(none.stderr).toContain("No delivery attempt carries event_id nope.");
  });

  it("events list and events show print a hostile request's text visibly, never as terminal control", async () => {
    home = tempHome();
    const db = join(home.home, "store.db");
    const hostile = "income.added\u001b[2J\u001b[31mFAKE\r\n17:00:00  200  paystubs.added   verified  #99";
    const store = openDatabase(db);
    requestStore(store).insert(
      storedRow("e\u001b]0;pwned\u0007", {
        event: hostile,
        accountId: "\u001b[5macct",
        headers: [["x-evil\u001b[1m", "v\u001b[0m\r\nx-forged: 1"]],
        schemaErrors: [{ path: "payload.\u001b[1mx", message: "bad\ndata" }],
      }),
    );
    store.close();
    for (const args of [["events", "list"], ["events", "show", "1"]]) {
      const result = await cli([...args, "--db", db]);
      expectExit(result, 0);
      // eslint-disable-next-line no-control-regex -- the escape characters must not reach the terminal
      expect(result.stdout, args.join(" ")).not.toMatch(/[\u001b\u0007\r]/);
      expect(result.stdout, args.join(" ")).toContain("income.added\\x1b[2J\\x1b[31mFAKE\\x0d\\x0a17:00:00");
      expect(result.stdout, args.join(" ")).not.toMatch(/^17:00:00/m);
    }
  });

  it("--since without a unit is refused instead of being read as a year", async () => {
    home = tempHome();
    const result = await cli(["events", "list", "--since", "5"]);
    expectExit(result, 2);
    expect(expectOneLineError(result.stderr)).toMatch(/"5" has no unit; use a duration such as 5m, 5h or 5d/);
  });

  it("a --db path that does not exist is reported, not created, by every command that only reads it", async () => {
    home = tempHome();
    const missing = join(home.home, "typo", "evnts.db");
    const webhookId = "00000000-0000-4000-8000-000000000000";
    for (const args of [
      ["events", "list"],
      ["events", "show", "1"],
      ["deliveries", "list"],
      ["replay", "1", "--to", "http://127.0.0.1:9/"],
      ["verify", "1"],
      // The local registry and sandbox: only create and connect add to a store, and so make one.
      ["webhooks", "list"],
      ["webhooks", "get", webhookId],
      ["webhooks", "update", webhookId, "--url", "http://127.0.0.1:9/hook"],
      ["webhooks", "delete", webhookId],
      ["sandbox", "accounts", "--env", "local"],
      ["sandbox", "reset", "--env", "local"],
    ]) {
      const result = await cli([...args, "--db", missing]);
      expectExit(result, 1);
      expect(expectOneLineError(result.stderr), args.join(" ")).toContain(`no event database at ${missing}`);
    }
    // The same for a path set in the environment; only the default store is created on first use.
    const fromEnv = await runCli(["events", "list"], { env: { ...home.env, PINWHEEL_CLI_DB: missing } });
    expectExit(fromEnv, 1);
    expect(expectOneLineError(fromEnv.stderr)).toContain(`no event database at ${missing}`);
    expect(existsSync(join(home.home, "typo"))).toBe(false);
  });

  it("replaying a request named by id whose body was not stored whole fails and says why", async () => {
    home = tempHome();
    const db = join(home.home, "store.db");
    const { truncatedId } = fillStore(db);
    const target = await server();
    const result = await cli(["replay", String(truncatedId), "--db", db, "--to", target.url]);
    expectExit(result, 1);
    expect(expectOneLineError(result.stderr)).toMatch(new RegExp(`request ${truncatedId} cannot be replayed: its body was over 1 MiB`));
    expect(target.requests).toEqual([]);
  });
});
