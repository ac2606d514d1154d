import { terminalSettings, type TerminalSettings } from "../config.js";
import { interrupted, usageError } from "../errors.js";

/**
 * Questions for what a command still needs, asked only where a person can answer: stdin and
 * stderr are terminals and this is not CI. Anywhere else the missing flag is a usage error, so
 * a script never hangs. Prompts draw on stderr, keeping stdout for data (--json).
 */

type Prompts = typeof import("@inquirer/prompts");

export interface EventChoiceGroup {
  label: string;
  events: readonly { name: string; description?: string }[];
}

export function canPrompt(settings: TerminalSettings = terminalSettings()): boolean {
  return settings.stdinIsTty && settings.stderrIsTty && !settings.ci;
}

async function ask<T>(missing: string, question: (prompts: Prompts, context: { output: NodeJS.WritableStream }) => Promise<T>, settings?: TerminalSettings): Promise<T> {
  if (!canPrompt(settings)) throw usageError(`missing ${missing}; not asking without a terminal`);
  // inquirer is loaded only when a question is really asked.
  const prompts = await import("@inquirer/prompts");
  try {
    return await question(prompts, { output: process.stderr });
  } catch (error) {
    if ((error as Error).name === "ExitPromptError") throw interrupted("nothing was changed");
    throw error;
  }
}

export function promptText(
  missing: string,
  options: { message: string; validate?: (value: string) => string | true; defaultValue?: string },
  settings?: TerminalSettings,
): Promise<string> {
  return ask(
    missing,
    (prompts, context) =>
      prompts.input({ message: options.message, default: options.defaultValue, required: true, validate: options.validate }, context),
    settings,
  );
}

export function promptEvents(missing: string, options: { message: string; groups: readonly EventChoiceGroup[] }, settings?: TerminalSettings): Promise<string[]> {
  return ask(
    missing,
    (prompts, context) =>
      prompts.checkbox(
        {
          message: options.message,
          required: true,
          pageSize: 15,
          choices: options.groups.flatMap((group) => [
            new prompts.Separator(`── ${group.label}`),
            ...group.events.map((event) => ({ value: event.name, name: event.name, description: event.description })),
          ]),
        },
        context,
      ),
    settings,
  );
}

export function promptSecret(missing: string, options: { message: string }, settings?: TerminalSettings): Promise<string> {
  return ask(
    missing,
    (prompts, context) =>
      prompts.password({ message: options.message, mask: "*", validate: (value) => (value.trim() === "" ? "the secret cannot be empty" : true) }, context),
    settings,
  );
}

/** A yes/no question before a change that cannot be undone; off a terminal, `missing` (e.g. "--yes") is a usage error. */
export function promptConfirm(missing: string, options: { message: string }, settings?: TerminalSettings): Promise<boolean> {
  return ask(missing, (prompts, context) => prompts.confirm({ message: options.message, default: false }, context), settings);
}
