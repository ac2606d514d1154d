/**
 * The typed options boundary: each command's action is checked by the compiler against what its
 * declaration parses (@commander-js/extra-typings infers the options from the flags). The
 * @ts-expect-error lines are the proof: `tsc --noEmit -p .` (npm test) fails if one compiles.
 */
import { Command, Option } from "@commander-js/extra-typings";
import { describe, expect, it } from "vitest";
import { lazy } from "../../src/cli/lazy.js";
import { integer } from "../../src/cli/options.js";

function declared() {
  return new Command("demo")
    .exitOverride()
    .argument("[event]")
    .option("-p, --port <port>", "port", integer(0, 65535), 3000)
    .addOption(new Option("--reporter <format>", "format").choices(["table", "json"] as const).default("table" as const))
    .option("--json", "print JSON");
}

interface Agreeing {
  port: number;
  reporter: "table" | "json";
  json?: boolean;
}

describe("lazy(): a command's handler keeps its types through commander's action", () => {
  it("runs a handler whose options interface agrees with the declaration, with what was parsed", async () => {
    const seen: unknown[] = [];
    const command = declared().action(lazy(async () => ({ run: async (event: string | undefined, options: Agreeing) => void seen.push(event, options) })));
    await command.parseAsync(["node", "demo", "income.added", "--port", "8080", "--json"]);
    expect(seen).toEqual(["income.added", { port: 8080, reporter: "table", json: true }]);
  });

  // Checked by the compiler, not at run time: each @ts-expect-error line must fail to compile.
  it("does not compile a handler whose options interface disagrees with the declaration", () => {
    const handler = <T>() => lazy(async () => ({ run: async (_event: string | undefined, _options: T) => undefined }));
    // @ts-expect-error --port is parsed to a number, not a string
    declared().action(handler<{ port: string }>());
    // @ts-expect-error --host is not declared, so it can never be there
    declared().action(handler<{ port: number; host: string }>());
    // @ts-expect-error --reporter offers only table and json
    declared().action(handler<{ reporter: "table" | "junit" }>());
    // @ts-expect-error the event argument is optional: undefined must be handled
    declared().action(lazy(async () => ({ run: async (_event: string, _options: Agreeing) => undefined })));
    declared().action(handler<Agreeing>());
  });
});
