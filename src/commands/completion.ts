import type { CommandUnknownOpts as Command, Option } from "@commander-js/extra-typings";
import { CONFIG_KEYS } from "../config.js";
import { EVENT_NAMES } from "../events/catalog.js";
import { builtInScenarioNames } from "../events/scenario.js";
import { usageError } from "../errors.js";
import { createOutput } from "../output/index.js";
import { VERDICT_FILTERS } from "../verification-reasons.js";

/**
 * Shell completion generated from the commander program itself, so that a command or option
 * added tomorrow completes without anyone touching this file. Each script carries the same
 * tables (subcommands, options, what a value is) and a small walker that finds the command path.
 */

/** What a word completes to: nothing, catalog events (one, or a comma list), scenarios, files, or fixed words. */
export type ValueKind = "none" | "events" | "event-list" | "scenarios" | "files" | `words:${string}`;

export interface OptionSpec {
  flags: string[];
  description: string;
  /** Set when the option consumes the next word as its value. */
  value?: ValueKind;
}

export interface CommandSpec {
  /** "" for the program, else e.g. "events list". */
  path: string;
  subcommands: { name: string; description: string }[];
  options: OptionSpec[];
  argument: ValueKind;
}

export interface CompletionModel {
  commands: CommandSpec[];
  events: readonly string[];
  scenarios: readonly string[];
}

const FILE_OPTIONS = new Set(["--db", "--data", "--output", "--body"]);

function optionValue(option: Option): ValueKind | undefined {
  if (!option.required) return undefined;
  if (option.argChoices) return `words:${option.argChoices.join(" ")}`;
  if (option.long === "--event") return "events";
  // Checked by the command (with did-you-mean), so not commander choices, but the values are fixed.
  if (option.long === "--verdict") return `words:${VERDICT_FILTERS.join(" ")}`;
  if (option.long === "--events") return "event-list";
  if (option.long === "--scenario") return "scenarios";
  if (option.long && FILE_OPTIONS.has(option.long)) return "files";
  return "none";
}

function argumentValue(command: Command, path: string[]): ValueKind {
  const argument = command.registeredArguments[0];
  if (!argument) return "none";
  if (argument.argChoices) return `words:${argument.argChoices.join(" ")}`;
  if (argument.name() === "event") return "events";
  if (path[0] === "scenarios") return "scenarios";
  // Keys are checked by the command itself (with did-you-mean), not as commander choices.
  if (path[0] === "config" && argument.name() === "key") return `words:${CONFIG_KEYS.join(" ")}`;
  return "none";
}

function walk(command: Command, path: string[]): CommandSpec[] {
  const options: OptionSpec[] = command.options
    .filter((option) => !option.hidden)
    .map((option) => ({
      flags: [option.long, option.short].filter((flag): flag is string => Boolean(flag)),
      description: option.description,
      value: optionValue(option),
    }));
  options.push({ flags: ["--help", "-h"], description: "show help" });
  const spec: CommandSpec = {
    path: path.join(" "),
    // An alias (trigger, resend: the Stripe CLI's names) completes as the command it stands for.
    subcommands: command.commands.flatMap((sub) => [
      { name: sub.name(), description: sub.description() },
      ...sub.aliases().map((alias) => ({ name: alias, description: `same as ${sub.name()}` })),
    ]),
    options,
    argument: argumentValue(command, path),
  };
  return [spec, ...command.commands.flatMap((sub) => [sub.name(), ...sub.aliases()].flatMap((name) => walk(sub, [...path, name])))];
}

export function completionModel(program: Command, scenarios: readonly string[] = builtInScenarioNames()): CompletionModel {
  return { commands: walk(program, []), events: EVENT_NAMES, scenarios };
}

// ---------------------------------------------------------------------------
// Shared table functions, valid in both bash and zsh: POSIX `case`.

function caseFunction(name: string, entries: [key: string, body: string][]): string {
  const arms = entries.map(([key, body]) => `    "${key}") ${body} ;;`).join("\n");
  return `${name}() {\n  case "$1" in\n${arms}\n  esac\n}`;
}

function valueKindFunction(model: CompletionModel): string {
  const entries: [string, string][] = [];
  for (const command of model.commands) {
    for (const option of command.options) {
      if (!option.value) continue;
      for (const flag of option.flags) entries.push([`${command.path}|${flag}`, `echo "${option.value}"`]);
    }
  }
  return caseFunction("_pinwheel_cli_value_kind", entries).replace('case "$1" in', 'case "$1|$2" in');
}

function argumentKindFunction(model: CompletionModel): string {
  return caseFunction(
    "_pinwheel_cli_argument_kind",
    model.commands.filter((command) => command.argument !== "none").map((command) => [command.path, `echo "${command.argument}"`]),
  );
}

function subcommandNamesFunction(model: CompletionModel): string {
  return caseFunction(
    "_pinwheel_cli_subcommand_names",
    model.commands.filter((command) => command.subcommands.length > 0).map((command) => [command.path, `echo "${command.subcommands.map((sub) => sub.name).join(" ")}"`]),
  );
}

function optionNamesFunction(model: CompletionModel): string {
  return caseFunction(
    "_pinwheel_cli_option_names",
    model.commands.map((command) => [command.path, `echo "${command.options.flatMap((option) => option.flags).join(" ")}"`]),
  );
}

// ---------------------------------------------------------------------------

export function bashScript(model: CompletionModel): string {
  return `# pinwheel-cli completion for bash.
# Install: pinwheel-cli completion bash > ~/.local/share/bash-completion/completions/pinwheel-cli
# or add to ~/.bashrc: source <(pinwheel-cli completion bash)

_pinwheel_cli_events="${model.events.join(" ")}"
_pinwheel_cli_scenarios="${model.scenarios.join(" ")}"

${subcommandNamesFunction(model)}

${optionNamesFunction(model)}

${valueKindFunction(model)}

${argumentKindFunction(model)}

_pinwheel_cli_complete_kind() {
  local kind="$1" cur="$2" prefix=""
  case "$kind" in
    events) COMPREPLY=($(compgen -W "$_pinwheel_cli_events" -- "$cur")) ;;
    event-list)
      if [[ "$cur" == *,* ]]; then prefix="\${cur%,*},"; fi
      COMPREPLY=($(compgen -P "$prefix" -W "$_pinwheel_cli_events" -- "\${cur##*,}"))
      compopt -o nospace 2>/dev/null ;;
    scenarios) COMPREPLY=($(compgen -W "$_pinwheel_cli_scenarios" -- "$cur") $(compgen -f -- "$cur")) ;;
    files) compopt -o filenames 2>/dev/null; COMPREPLY=($(compgen -f -- "$cur")) ;;
    words:*) COMPREPLY=($(compgen -W "\${kind#words:}" -- "$cur")) ;;
  esac
}

_pinwheel_cli() {
  local cur="\${COMP_WORDS[COMP_CWORD]}" prev="" cmd="" word kind i skip=0
  COMPREPLY=()
  for ((i = 1; i < COMP_CWORD; i++)); do
    word="\${COMP_WORDS[i]}"
    if ((skip)); then skip=0; continue; fi
    case "$word" in
      --*=*|=) continue ;;
      -*) if [[ -n "$(_pinwheel_cli_value_kind "$cmd" "$word")" && "\${COMP_WORDS[i+1]}" != "=" ]]; then skip=1; fi; continue ;;
    esac
    if [[ " $(_pinwheel_cli_subcommand_names "$cmd") " == *" $word "* ]]; then cmd="\${cmd:+$cmd }$word"; fi
  done
  ((COMP_CWORD > 1)) && prev="\${COMP_WORDS[COMP_CWORD-1]}"
  # COMP_WORDBREAKS splits --scenario=x into "--scenario" "=" "x".
  if [[ "$cur" == "=" ]]; then prev="\${COMP_WORDS[COMP_CWORD-1]}"; cur=""
  elif [[ "$prev" == "=" ]] && ((COMP_CWORD > 2)); then prev="\${COMP_WORDS[COMP_CWORD-2]}"
  fi
  if [[ "$prev" == -* ]]; then
    kind="$(_pinwheel_cli_value_kind "$cmd" "$prev")"
    if [[ -n "$kind" ]]; then _pinwheel_cli_complete_kind "$kind" "$cur"; return 0; fi
  fi
  if [[ "$cur" == -* ]]; then
    COMPREPLY=($(compgen -W "$(_pinwheel_cli_option_names "$cmd")" -- "$cur"))
  elif [[ -n "$(_pinwheel_cli_subcommand_names "$cmd")" ]]; then
    COMPREPLY=($(compgen -W "$(_pinwheel_cli_subcommand_names "$cmd")" -- "$cur"))
  else
    _pinwheel_cli_complete_kind "$(_pinwheel_cli_argument_kind "$cmd")" "$cur"
  fi
  return 0
}

complete -F _pinwheel_cli pinwheel-cli
`;
}

// ---------------------------------------------------------------------------

function zshDescribed(text: string): string {
  return text.replace(/\\/g, "\\\\").replace(/:/g, "\\:").replace(/'/g, "'\\''");
}

function zshDescriptionsFunction(name: string, entries: [key: string, lines: string[]][]): string {
  return caseFunction(
    name,
    entries.map(([key, lines]) => [key, `print -rl -- ${lines.map((line) => `'${line}'`).join(" ")}`]),
  );
}

export function zshScript(model: CompletionModel): string {
  const subcommands = zshDescriptionsFunction(
    "_pinwheel_cli_subcommands",
    model.commands
      .filter((command) => command.subcommands.length > 0)
      .map((command) => [command.path, command.subcommands.map((sub) => `${sub.name}:${zshDescribed(sub.description)}`)]),
  );
  const options = zshDescriptionsFunction(
    "_pinwheel_cli_options",
    model.commands.map((command) => [
      command.path,
      command.options.flatMap((option) => option.flags.map((flag) => `${flag}:${zshDescribed(option.description)}`)),
    ]),
  );
  return `#compdef pinwheel-cli
# pinwheel-cli completion for zsh.
# Install: pinwheel-cli completion zsh > "\${fpath[1]}/_pinwheel-cli" and start a new shell,
# or add to ~/.zshrc, after compinit: source <(pinwheel-cli completion zsh)

_pinwheel_cli_events=(${model.events.join(" ")})
_pinwheel_cli_scenarios=(${model.scenarios.join(" ")})

${subcommandNamesFunction(model)}

${valueKindFunction(model)}

${argumentKindFunction(model)}

${subcommands}

${options}

# Sets _pinwheel_cli_cmd (the command path so far) and _pinwheel_cli_kind (what the word under
# the cursor is: subcommands, options, or a value kind) from $words and $CURRENT.
_pinwheel_cli_context() {
  local word kind cur prev
  local -a names
  local -i i skip=0
  _pinwheel_cli_cmd=""
  for (( i = 2; i < CURRENT; i++ )); do
    word=\${words[i]}
    if (( skip )); then skip=0; continue; fi
    case $word in
      --*=*) continue ;;
      -*) [[ -n "$(_pinwheel_cli_value_kind "$_pinwheel_cli_cmd" "$word")" ]] && skip=1; continue ;;
    esac
    names=(\${="$(_pinwheel_cli_subcommand_names "$_pinwheel_cli_cmd")"})
    if (( \${names[(Ie)$word]} )); then _pinwheel_cli_cmd="\${_pinwheel_cli_cmd:+$_pinwheel_cli_cmd }$word"; fi
  done
  cur=\${words[CURRENT]}
  prev=\${words[CURRENT-1]}
  _pinwheel_cli_kind=""
  if [[ $cur == --*=* ]]; then
    _pinwheel_cli_kind="$(_pinwheel_cli_value_kind "$_pinwheel_cli_cmd" "\${cur%%=*}")"
  elif (( CURRENT > 2 )) && [[ $prev == -* ]]; then
    _pinwheel_cli_kind="$(_pinwheel_cli_value_kind "$_pinwheel_cli_cmd" "$prev")"
  fi
  if [[ -n $_pinwheel_cli_kind ]]; then return 0; fi
  if [[ $cur == -* ]]; then
    _pinwheel_cli_kind=options
  elif [[ -n "$(_pinwheel_cli_subcommand_names "$_pinwheel_cli_cmd")" ]]; then
    _pinwheel_cli_kind=subcommands
  else
    _pinwheel_cli_kind="$(_pinwheel_cli_argument_kind "$_pinwheel_cli_cmd")"
  fi
}

_pinwheel_cli() {
  local _pinwheel_cli_cmd _pinwheel_cli_kind
  local -a lines
  _pinwheel_cli_context
  [[ \${words[CURRENT]} == --*=* ]] && compset -P '*='
  case $_pinwheel_cli_kind in
    subcommands)
      lines=(\${(f)"$(_pinwheel_cli_subcommands "$_pinwheel_cli_cmd")"})
      _describe -t commands 'pinwheel-cli command' lines ;;
    options)
      lines=(\${(f)"$(_pinwheel_cli_options "$_pinwheel_cli_cmd")"})
      _describe -t options 'option' lines ;;
    events) compadd -a _pinwheel_cli_events ;;
    event-list) compset -P '*,'; compadd -q -S , -a _pinwheel_cli_events ;;
    scenarios) compadd -a _pinwheel_cli_scenarios; _files ;;
    files) _files ;;
    words:*) compadd -- \${=_pinwheel_cli_kind#words:} ;;
  esac
}

if [[ "\${funcstack[1]}" == "_pinwheel-cli" ]]; then
  _pinwheel_cli "$@"
elif (( $+functions[compdef] )); then
  compdef _pinwheel_cli pinwheel-cli
else
  print -u2 "pinwheel-cli completion: run compinit before sourcing this script (autoload -U compinit && compinit)"
fi
`;
}

// ---------------------------------------------------------------------------

function fishQuoted(text: string): string {
  return `'${text.replace(/\\/g, "\\\\").replace(/'/g, "\\'")}'`;
}

function fishSwitch(name: string, entries: [key: string, words: string[]][]): string {
  const arms = entries.map(([key, words]) => `        case ${fishQuoted(key)}\n            printf '%s\\n' ${words.join(" ")}`).join("\n");
  return `function ${name}\n    switch "$argv[1]"\n${arms}\n    end\nend`;
}

function fishValueArgs(kind: ValueKind): string {
  if (kind === "events") return "-x -a '(__pinwheel_cli_events)'";
  if (kind === "event-list") return "-x -a '(__pinwheel_cli_event_list)'";
  if (kind === "scenarios") return "-r -F -a '(__pinwheel_cli_scenarios)'";
  if (kind === "files") return "-r -F";
  if (kind.startsWith("words:")) return `-x -a ${fishQuoted(kind.slice("words:".length))}`;
  return "-x";
}

export function fishScript(model: CompletionModel): string {
  const lines: string[] = [];
  for (const command of model.commands) {
    const condition = `-n ${fishQuoted(`__pinwheel_cli_at ${fishQuoted(command.path)}`)}`;
    for (const sub of command.subcommands) {
      lines.push(`complete -c pinwheel-cli ${condition} -a ${sub.name} -d ${fishQuoted(sub.description)}`);
    }
    for (const option of command.options) {
      const names = option.flags.map((flag) => (flag.startsWith("--") ? `-l ${flag.slice(2)}` : `-s ${flag.slice(1)}`)).join(" ");
      const value = option.value ? ` ${fishValueArgs(option.value)}` : "";
      lines.push(`complete -c pinwheel-cli ${condition} ${names}${value} -d ${fishQuoted(option.description)}`);
    }
    if (command.argument !== "none") {
      lines.push(`complete -c pinwheel-cli ${condition} ${fishValueArgs(command.argument).replace(/^-x |^-r /, "")}`);
    }
  }
  const valueOptions = model.commands.map((command): [string, string[]] => [
    command.path,
    command.options.filter((option) => option.value).flatMap((option) => option.flags),
  ]);
  return `# pinwheel-cli completion for fish.
# Install: pinwheel-cli completion fish > ~/.config/fish/completions/pinwheel-cli.fish

function __pinwheel_cli_events
    printf '%s\\n' ${model.events.join(" ")}
end

function __pinwheel_cli_scenarios
    printf '%s\\n' ${model.scenarios.join(" ")}
end

# --events a,b,...: offer the next name after what is typed so far.
function __pinwheel_cli_event_list
    set -l current (commandline -ct | string replace -r '^--events=' '')
    set -l prefix (string replace -r '[^,]*$' '' -- $current)
    for name in (__pinwheel_cli_events)
        echo $prefix$name
    end
end

${fishSwitch("__pinwheel_cli_subcommand_names", model.commands.filter((c) => c.subcommands.length > 0).map((c) => [c.path, c.subcommands.map((s) => s.name)]))}

${fishSwitch("__pinwheel_cli_value_options", valueOptions.filter(([, flags]) => flags.length > 0))}

# The command path typed so far ("", "events", "events list"...), skipping options and their values.
function __pinwheel_cli_path
    set -l tokens (commandline -opc)
    set -e tokens[1]
    set -l path ""
    set -l skip 0
    for word in $tokens
        if test $skip = 1
            set skip 0
            continue
        end
        switch $word
            case '--*=*'
                continue
            case '-*'
                if contains -- $word (__pinwheel_cli_value_options "$path")
                    set skip 1
                end
                continue
        end
        if contains -- $word (__pinwheel_cli_subcommand_names "$path")
            if test -z "$path"
                set path $word
            else
                set path "$path $word"
            end
        end
    end
    echo $path
end

function __pinwheel_cli_at
    set -l path (__pinwheel_cli_path)
    test "$path" = "$argv[1]"
end

complete -c pinwheel-cli -f
${lines.join("\n")}
`;
}

const GENERATORS = { bash: bashScript, zsh: zshScript, fish: fishScript } as const;

export async function run(shell: string, _options: unknown, command: Command): Promise<void> {
  const generate = GENERATORS[shell as keyof typeof GENERATORS];
  if (!generate) throw usageError(`no completion for "${shell}"; choose bash, zsh or fish`);
  const program = command.parent;
  if (!program) throw new Error("completion must run as a subcommand of pinwheel-cli");
  createOutput().line(generate(completionModel(program)).trimEnd());
}
