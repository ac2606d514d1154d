/**
 * An empty --db is an unset variable (--db "$DB"), as an empty --host or --secret is: refused on
 * every command that takes --db, instead of reading, recording or serving the default store.
 * Walks buildProgram(), so a command added later is held to it; the fast path through the BUILT binary.
 */
import type { CommandUnknownOpts as Command } from "@commander-js/extra-typings";
import { afterEach, describe, expect, it } from "vitest";
import { buildProgram } from "../../src/cli.js";
import { runCli, tempHome, type TempHome } from "../helpers/cli.js";
import { runInProcess } from "../helpers/in-process.js";
import { expectExit, expectOneLineError } from "../helpers/delivery-cli.js";

const REFUSAL = "error: --db is empty (an unset variable?); pass a file path, or leave --db out to use PINWHEEL_CLI_DB, the config's db or the data directory";

function withDb(command: Command, path: string[] = []): string[][] {
  const own = command.options.some((option) => option.long === "--db") ? [path] : [];
  return [...own, ...command.commands.flatMap((sub) => withDb(sub as Command, [...path, sub.name()]))];
}

let home: TempHome | undefined;
afterEach(() => {
  home?.cleanup();
  home = undefined;
});

describe("an empty --db", () => {
  const commands = withDb(buildProgram() as unknown as Command);

  it("is refused by every command that takes --db", async () => {
    expect(commands.map((path) => path.join(" "))).toEqual(expect.arrayContaining(["listen", "simulate", "events list", "replay", "mcp", "mock", "webhooks list"]));
    home = tempHome();
    for (const path of commands) {
      for (const db of ["", " "]) {
        const result = await runInProcess([...path, "--db", db], { env: home.env });
        expectExit(result, 2);
        expect(expectOneLineError(result.stderr), `${path.join(" ")} --db "${db}"`).toBe(REFUSAL);
      }
    }
  });

  it("is refused by the built binary, on the fast path and on commander's", async () => {
    home = tempHome();
    for (const args of [["events", "list"], ["events", "show", "1"], ["listen", "--port", "0"], ["simulate", "income.added"], ["replay", "--all"], ["webhooks", "list"]]) {
      const result = await runCli([...args, "--db", ""], { env: home.env });
      expectExit(result, 2);
      expect(expectOneLineError(result.stderr), args.join(" ")).toBe(REFUSAL);
    }
  });
});
