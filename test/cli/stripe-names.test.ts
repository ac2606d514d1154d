/**
 * The Stripe CLI names table (src/cli/stripe-names.ts) against the program: every piece of
 * advice is said on commands that exist, and names only options and commands this CLI has.
 */
import type { Command } from "@commander-js/extra-typings";
import { describe, expect, it } from "vitest";
import { buildProgram } from "../../src/cli.js";
import { STRIPE_NAMES, stripeNameAdvice } from "../../src/cli/stripe-names.js";

const program = buildProgram() as unknown as Command;

function commandAt(path: string): Command | undefined {
  let command: Command | undefined = program;
  for (const name of path.split(" ").filter(Boolean)) {
    command = command?.commands.find((sub) => sub.name() === name || sub.aliases().includes(name)) as Command | undefined;
  }
  return command;
}

const optionsOf = (command: Command) => command.options.flatMap((option) => [option.long, option.short]).filter((flag): flag is string => flag !== undefined);

/** Every command path of the program ("" is the program), for entries said on any command. */
function allPaths(command: Command = program, path = ""): string[] {
  return [path, ...command.commands.flatMap((sub) => allPaths(sub as Command, path ? `${path} ${sub.name()}` : sub.name()))];
}

describe("Stripe CLI names", () => {
  it("are said only where this CLI really lacks them, and name only what it has", () => {
    for (const entry of STRIPE_NAMES) {
      for (const path of entry.on ?? allPaths()) {
        const command = commandAt(path);
        expect(command, `${entry.typed} on "${path}"`).toBeDefined();
        if (!command) continue;
        const options = optionsOf(command);
        if (entry.kind === "option") expect(options, `${entry.typed} on "${path}"`).not.toContain(entry.typed);
        else expect(commandAt(`${path} ${entry.typed}`), `${path} ${entry.typed}`).toBeUndefined();
        if (entry.needs !== undefined && !options.includes(entry.needs)) continue;
        // Commands named in full ("pinwheel-cli events show <id>") exist, with the options they are given.
        let rest = entry.advice;
        for (const [quoted, words = ""] of entry.advice.matchAll(/"pinwheel-cli ([^"]*)"/g)) {
          rest = rest.replace(quoted, "");
          // The command is the words that are subcommands; what follows them is its arguments.
          let target: Command = program;
          let depth = 0;
          for (const word of words.split(" ")) {
            const sub = target.commands.find((c) => c.name() === word || c.aliases().includes(word)) as Command | undefined;
            if (!sub) break;
            target = sub;
            depth++;
          }
          expect(depth, quoted).toBeGreaterThan(0);
          for (const flag of words.match(/--[a-z-]+/g) ?? []) expect(optionsOf(target), quoted).toContain(flag);
        }
        // Options named on their own are the command's.
        for (const flag of rest.match(/(?<![\w-])--?[a-z][a-z-]*/g) ?? []) expect(options, `${flag} in the advice for ${entry.typed} on "${path}"`).toContain(flag);
      }
    }
  });

  it("answer what the Stripe CLI user typed, on the commands it means something on", () => {
    const listen = { path: "listen", has: (option: string) => ["--json", "--forward-to"].includes(option) };
    expect(stripeNameAdvice("option", "--format", listen)).toBe('for JSON, use "--json"');
    expect(stripeNameAdvice("option", "--format=JSON", listen)).toBe('for JSON, use "--json"');
    expect(stripeNameAdvice("option", "-f", listen)).toMatch(/--forward-to/);
    expect(stripeNameAdvice("option", "-f", { path: "simulate", has: () => true })).toBeUndefined();
    expect(stripeNameAdvice("option", "--format", { path: "completion", has: () => false })).toBeUndefined();
    expect(stripeNameAdvice("command", "resend", { path: "events", has: () => false })).toMatch(/replay <id>/);
    expect(stripeNameAdvice("command", "resend", { path: "webhooks", has: () => false })).toBeUndefined();
  });

  it("never print a secret: --print-secret says where the secret comes from", () => {
    const advice = stripeNameAdvice("option", "--print-secret", { path: "listen", has: () => true }) ?? "";
    expect(advice).toMatch(/--secret.*PINWHEEL_API_SECRET.*config set api-secret/);
  });
});
