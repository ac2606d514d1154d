/**
 * An empty --end-user-id is an unset variable (--end-user-id "$SEEDED_USER" in CI), not a choice:
 * taken as none, the run would fall back to a made-up end user and lose what a known one tests (a
 * handler that answers unknown users before it verifies). In-process: argv checks, nothing sent.
 */
import { afterEach, describe, expect, it } from "vitest";
import { tempHome, type TempHome } from "../helpers/cli.js";
import { runInProcess } from "../helpers/in-process.js";
import { expectExit, expectOneLineError } from "../helpers/delivery-cli.js";

let home: TempHome | undefined;
afterEach(() => {
  home?.cleanup();
  home = undefined;
});

describe("an empty --end-user-id", () => {
  it("is a usage error for smoke, simulate and sandbox connect", async () => {
    home = tempHome();
    const commands = [
      ["smoke", "--to", "http://127.0.0.1:9/"],
      ["smoke", "--suite", "conformance", "--to", "http://127.0.0.1:9/"],
      ["simulate", "income.added", "--to", "http://127.0.0.1:9/"],
      ["sandbox", "connect", "--base-url", "http://127.0.0.1:9/"],
    ];
    for (const args of commands) {
      const result = await runInProcess([...args, "--end-user-id", ""], { env: home.env });
      expectExit(result, 2);
      expect(expectOneLineError(result.stderr), args.join(" ")).toBe("error: --end-user-id is empty (an unset variable?); pass a value, or leave --end-user-id out");
    }
  });

  it("an empty --account-id is a usage error for simulate too, as for events list and replay, before anything is sent", async () => {
    home = tempHome();
    for (const args of [
      ["simulate", "account.added", "--to", "http://127.0.0.1:9/", "--json", "--account-id", ""],
      ["simulate", "account.added", "--to", "http://127.0.0.1:9/", "--account-id", "", "--retry"],
      ["events", "list", "--json", "--account-id", ""],
    ]) {
      const result = await runInProcess(args, { env: home.env });
      expectExit(result, 2);
      expect(result.stdout, args.join(" ")).toBe("");
      expect(expectOneLineError(result.stderr), args.join(" ")).toBe("error: --account-id is empty (an unset variable?); pass a value, or leave --account-id out");
    }
  });
});
