import type { CommandUnknownOpts as Command } from "@commander-js/extra-typings";

/** The program's full --help text (after-texts included) at a fixed width, as commander prints it. */
export function renderHelp(program: Command, width = 80): string {
  let text = "";
  program.configureOutput({ writeOut: (chunk) => void (text += chunk), getOutHelpWidth: () => width });
  program.outputHelp();
  return text;
}
