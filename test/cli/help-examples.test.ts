/**
 * House rule: every command's --help ends with two or three real examples. "Real" is checked:
 * each example is parsed by the program itself (actions replaced by no-ops), so an example with a
 * misspelt option, a missing argument or a bad value fails here. Walks buildProgram(), so commands
 * added later are held to the same rule.
 */
import type { CommandUnknownOpts as Command } from "@commander-js/extra-typings";
import { describe, expect, it } from "vitest";
import { buildProgram } from "../../src/cli.js";

interface Entry {
  path: string;
  command: Command;
}

function walk(command: Command, path: string[] = []): Entry[] {
  return [{ path: path.join(" "), command }, ...command.commands.flatMap((sub) => walk(sub, [...path, sub.name()]))];
}

function helpText(command: Command): string {
  let text = "";
  command.configureOutput({ writeOut: (chunk) => (text += chunk), writeErr: (chunk) => (text += chunk) });
  command.outputHelp();
  return text;
}

/** Shell words up to a pipe, redirection or comment; `<uuid>` style placeholders stay words. */
function shellWords(line: string): string[] {
  const words: string[] = [];
  let word = "";
  let inWord = false;
  let quote: string | undefined;
  for (let i = 0; i < line.length; i++) {
    const ch = line[i]!;
    if (quote) {
      if (ch === quote) quote = undefined;
      else word += ch;
      continue;
    }
    if (ch === "'" || ch === '"') {
      quote = ch;
      inWord = true;
      continue;
    }
    if (ch === " ") {
      if (inWord) words.push(word);
      word = "";
      inWord = false;
      continue;
    }
    if (!inWord && (ch === "|" || ch === ">" || ch === "#" || ch === ";" || ch === "&")) return words;
    word += ch;
    inWord = true;
  }
  if (inWord) words.push(word);
  return words;
}

/** A fresh program whose commands do nothing, print nothing, and throw instead of exiting. */
function inertProgram(): Command {
  const program = buildProgram();
  for (const { command } of walk(program)) {
    command.exitOverride().configureOutput({ writeOut: () => {}, writeErr: () => {} });
    if (command.commands.length === 0) command.action(async () => {});
  }
  return program;
}

const entries = walk(buildProgram());
const EXAMPLES_AT_END = /\nExamples:\n((?: {2}\$ .+\n)+)\n*$/;

describe("every command's --help", () => {
  it("walks all the commands", () => {
    expect(entries.map((entry) => entry.path)).toEqual(expect.arrayContaining(["", "simulate", "events list", "verify", "completion"]));
  });

  it.each(entries.filter((entry) => entry.path !== ""))("pinwheel-cli $path --help ends with 2-3 examples of pinwheel-cli", ({ command }) => {
    const match = EXAMPLES_AT_END.exec(helpText(command));
    expect(match, "no Examples: block at the end of the help").not.toBeNull();
    const lines = match![1]!.trimEnd().split("\n");
    expect(lines.length).toBeGreaterThanOrEqual(2);
    expect(lines.length).toBeLessThanOrEqual(3);
    // Environment assignments or a pipe may come first: `PINWHEEL_API_SECRET=x pinwheel-cli ...`.
    for (const line of lines) expect(line).toMatch(/^ {2}\$ (?:[A-Z_]+=\S* )*(?:.+ \| )?pinwheel-cli /);
  });

  it("of the program itself has examples too (its closing lines explain the secret)", () => {
    expect(helpText(buildProgram())).toMatch(/\nExamples:\n( {2}\$ pinwheel-cli .+\n){2,3}/);
  });

  it("parse check can fail: it refuses a misspelt option and a missing argument", async () => {
    await expect(inertProgram().parseAsync(["simulate", "--too", "http://x/"], { from: "user" })).rejects.toThrow(/unknown option '--too'/);
    await expect(inertProgram().parseAsync(["events", "show"], { from: "user" })).rejects.toThrow(/missing required argument 'id'/);
    expect(shellWords(`pinwheel-cli a 'b c' "d" <uuid> | jq .x > out`)).toEqual(["pinwheel-cli", "a", "b c", "d", "<uuid>"]);
  });

  it.each(entries)("pinwheel-cli $path: every example parses", async ({ command }) => {
    const examples = [...helpText(command).matchAll(/^ {2}\$ (.+)$/gm)].map((m) => m[1]!);
    for (const example of examples) {
      // After "VAR=x " or "producer | ": the pinwheel-cli part is what must parse.
      const words = shellWords(example.slice(example.indexOf("pinwheel-cli")));
      expect(words[0]).toBe("pinwheel-cli");
      await expect(inertProgram().parseAsync(words.slice(1), { from: "user" }), example).resolves.toBeDefined();
    }
  });
});
