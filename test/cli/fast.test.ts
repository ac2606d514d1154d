/**
 * The one-shot commands' fast path (src/cli/fast.ts) against commander and the program that
 * src/cli.ts builds: the same options with the same defaults and choices, and, for every command
 * line the fast path takes, the same arguments and option values commander would hand the action.
 */
import type { CommandUnknownOpts as Command, Option } from "@commander-js/extra-typings";
import { describe, expect, it } from "vitest";
import { buildProgram } from "../../src/cli.js";
import { FAST_COMMANDS, optionName, parseFast, type FastCommand } from "../../src/cli/fast.js";

function commanderCommand(program: Command, path: readonly string[]): Command {
  let command = program;
  for (const name of path) {
    const next = command.commands.find((candidate) => candidate.name() === name);
    if (!next) throw new Error(`no command ${path.join(" ")}`);
    command = next;
  }
  return command;
}

/** What commander hands the action for argv, or the error it stops with. */
async function viaCommander(argv: string[]): Promise<{ args: unknown[]; options: Record<string, unknown> } | { error: string }> {
  const program = buildProgram();
  program.configureOutput({ writeOut: () => {}, writeErr: () => {} });
  let captured: unknown[] | undefined;
  for (const fast of FAST_COMMANDS) {
    const command = commanderCommand(program, fast.path);
    command.exitOverride();
    command.configureOutput({ writeOut: () => {}, writeErr: () => {} });
    command.action((...args: unknown[]) => {
      captured = args;
    });
  }
  try {
    await program.parseAsync(["node", "pinwheel-cli", ...argv]);
  } catch (error) {
    return { error: (error as Error).message };
  }
  if (!captured) return { error: "no action ran" };
  return { args: captured.slice(0, -2), options: { ...(captured.at(-2) as Record<string, unknown>) } };
}

const spec = (fast: FastCommand, long: string) => fast.options.find((option) => optionName(option.flags).long === long);

describe("the fast path's commands", () => {
  const program = buildProgram();
  for (const fast of FAST_COMMANDS) {
    it(`${fast.path.join(" ")}: the same arguments and options as the program, defaults and choices included`, () => {
      const command = commanderCommand(program, fast.path);
      const declared = (arg: { name(): string; variadic: boolean }) => `${arg.name()}${arg.variadic ? "..." : ""}`;
      expect(fast.args).toEqual(command.registeredArguments.map((arg) => (arg.required ? `<${declared(arg)}>` : `[${declared(arg)}]`)));
      const declined = new Set(fast.declineWith ?? []);
      const options = command.options.filter((option: Option) => !declined.has(option.long ?? ""));
      expect(fast.options.map((option) => optionName(option.flags).long).sort()).toEqual(options.map((option) => option.long).sort());
      for (const option of options) {
        const mine = spec(fast, option.long ?? "");
        const { key, takesValue } = optionName(mine?.flags ?? "");
        expect(key, option.flags).toBe(option.attributeName());
        expect(takesValue, option.flags).toBe(option.required);
        expect(option.optional, `${option.flags}: an optional value is declined, not parsed`).toBe(false);
        expect(option.negate, option.flags).toBe(false);
        expect(mine?.default, option.flags).toEqual(option.defaultValue);
        expect(mine?.choices, option.flags).toEqual(option.argChoices);
        // choices() is commander's own parser; any other is ours, on both sides or on neither.
        if (!option.argChoices) expect(mine?.parse !== undefined, `${option.flags}: a parser on one side only`).toBe(option.parseArg !== undefined);
      }
    });
  }
});

const URL_ = "http://127.0.0.1:3000/hooks";
/** Command lines the fast path takes: each must reach the action exactly as commander would. */
const TAKEN: string[][] = [
  ["simulate", "paystubs.fully_synced", "--to", URL_],
  ["simulate", "--to", URL_, "paystubs.fully_synced"],
  ["simulate", "paystubs.fully_synced", `--to=${URL_}`, "--json", "--count", "3", "--concurrency", "2", "--timeout", "500"],
  ["simulate", "income.added", "--set", "payload.a=1", "--set", "payload.b=2", "--unset", "payload.c", "--add", "x=1", "--outcome", "error"],
  ["simulate", "income.added", "--pending", "--retry", "--retry-base", "10", "--webhook-id", "61788409-8314-4e89-9300-ae7b9d3ccff5"],
  ["simulate", "income.added", "--api-version", "2023-04-18", "--secret", "s3cret", "--account-id", "a", "--end-user-id", "u", "--db", "/tmp/x.db"],
  ["simulate", "--data", "-", "--pause-after", "10s", "--speed", "2", "--sandbox", "http://127.0.0.1:4010"],
  ["simulate"],
  ["events", "list"],
  ["events", "list", "--limit", "20"],
  ["events", "list", "--limit=1", "--event", "paystubs.added", "--account-id", "a", "--verdict", "failed", "--since", "2026-11-23T10:00:00Z", "--db", "/tmp/e.db", "--json"],
  ["events", "show", "1"],
  ["events", "show", "e-1", "--json", "--db", "/tmp/e.db"],
  ["verify", "1"],
  ["verify", "--body", "-", "--signature", "v2=00", "--timestamp", "1", "--tolerance", "5", "--now", "2026-01-01T00:00:00Z", "--json"],
  ["verify"],
  ["fixtures", "show", "paystubs.added"],
  ["fixtures", "show", "paystubs.added", "--json", "--api-version", "2022-07-01"],
  ["replay", "--all", "--to", URL_],
  ["replay", "--all", "--include-rejected", "--include-unverified", "--to", URL_],
  ["replay", "1", "e-2", "3", "--to", URL_, "--concurrency", "64", "--json"],
  ["replay", "--event", "paystubs.added", "--since", "2026-11-23T10:00:00Z", "--verdict", "failed", "--include-unverified", "--as-recorded", "--secret", "s"],
  ["replay", "--account-id", "a", "--retry", "--retry-base", "10", "--timeout", "50", "--db", "/tmp/r.db"],
  ["replay"],
  ["webhooks", "list"],
  ["webhooks", "list", "--env", "local", "--json", "--limit", "3", "--page-size", "100", "--timeout", "20", "--db", "/tmp/w.db"],
  ["webhooks", "list", "--base-url", "http://127.0.0.1:4010", "--secret", "s", "--api-version", "2025-07-08"],
];

/** Command lines the fast path leaves to commander (help, short flags, errors, odd forms). */
const DECLINED: string[][] = [
  ["simulate", "--help"],
  ["simulate", "x", "-n", "2"],
  ["simulate", "x", "--duplicate"],
  ["simulate", "--scenario", "at-least-once"],
  ["simulate", "x", "--count", "0"],
  ["simulate", "x", "--to", "ftp://x"],
  ["simulate", "x", "--to"],
  ["simulate", "x", "--outcome", "maybe"],
  ["simulate", "x", "y"],
  ["simulate", "x", "--json=1"],
  ["simulate", "x", "--", "--to"],
  ["simulate", "x", "--secret", ""],
  ["trigger", "x"],
  ["events", "list", "--limit", "0"],
  ["events", "list", "--limit", "-1"],
  ["events", "list", "--since", "5"],
  ["events", "list", "--bogus"],
  ["events", "list", "extra"],
  ["events", "show"],
  ["events", "show", "-1"],
  ["events"],
  ["fixtures", "show"],
  ["fixtures", "list"],
  ["webhooks", "list", "--env", "moon"],
  ["webhooks", "list", "--api-version", "1999-01-01"],
  ["webhooks", "create"],
  ["listen"],
  ["replay", "--all", "-c", "4"],
  ["replay", "1", "--concurrency", "0"],
  ["verify", "1", "-h"],
];

describe("parseFast", () => {
  for (const argv of TAKEN) {
    it(`takes ${argv.join(" ")} and reads it as commander does`, async () => {
      const fast = parseFast(["node", "pinwheel-cli", ...argv]);
      expect(fast).toBeDefined();
      expect({ args: fast?.args, options: fast?.options }).toEqual(await viaCommander(argv));
    });
  }

  it("leaves help, short flags, bad values and odd forms to commander", () => {
    for (const argv of DECLINED) expect(parseFast(["node", "pinwheel-cli", ...argv]), argv.join(" ")).toBeUndefined();
  });
});
