import { apiVersionDate, collect, dbPath, duration, filterValue, httpUrl, integer, positiveNumber, retryBaseOption, secretValue, since, timeoutOption, uuid } from "./options.js";
import { ENVIRONMENTS, PINWHEEL_VERSIONS } from "../api/environments.js";

/**
 * The one-shot commands' usual invocations, parsed without commander. Loading commander and
 * building the whole program costs `events list` or `simulate <event> --to <url>` about as much
 * CPU as the rest of their work, and CI calls them dozens of times.
 *
 * This is a shortcut, not a second parser: it takes only what it is sure commander would read the
 * same way (the exact command path, known long options, values that parse) and declines
 * everything else: help, short flags, `--`, a value that does not parse, an unknown option, one
 * argument too many. A declined command line goes to commander, which runs it or words the error.
 * test/cli/fast.test.ts checks every spec below against the program that src/cli.ts builds.
 */

type Parser = (value: string, previous?: never) => unknown;

export interface FastOption {
  /** As given to commander: "--limit <n>" or "--json". */
  flags: string;
  parse?: Parser;
  default?: unknown;
  choices?: readonly string[];
}

export interface FastCommand {
  path: readonly string[];
  /** Positional arguments, as declared to commander: "<id>", "[event]" or, last, "[ids...]". */
  args: readonly string[];
  options: readonly FastOption[];
  /** The options with which the command needs commander (e.g. to ask whether a default was typed). */
  declineWith?: readonly string[];
  load: () => Promise<{ run: (...args: never[]) => Promise<void> }>;
}

const secret = (flag: string) => secretValue(flag) as Parser;
const int = (min: number, max?: number) => integer(min, max) as Parser;
const filter = (flag: string) => filterValue(flag) as Parser;

/** webhooks' --env, --base-url, --secret, --api-version, --timeout, --db and --json (cli/registry.ts targetOptions). */
const TARGET_OPTIONS: readonly FastOption[] = [
  { flags: "--env <env>", choices: ENVIRONMENTS },
  { flags: "--base-url <url>", parse: httpUrl },
  { flags: "--secret <secret>", parse: secret("--secret") },
  { flags: "--api-version <date>", choices: PINWHEEL_VERSIONS },
  { flags: "--timeout <ms>", parse: timeoutOption as Parser, default: 10_000 },
  { flags: "--db <path>", parse: dbPath },
  { flags: "--json" },
];

export const FAST_COMMANDS: readonly FastCommand[] = [
  {
    path: ["simulate"],
    args: ["[event]"],
    options: [
      { flags: "--to <url>", parse: httpUrl },
      { flags: "--secret <secret>", parse: secret("--secret") },
      { flags: "--webhook-id <uuid>", parse: uuid },
      { flags: "--account-id <id>", parse: filterValue("--account-id") },
      { flags: "--end-user-id <id>", parse: filterValue("--end-user-id") },
      { flags: "--api-version <date>", parse: apiVersionDate },
      { flags: "--outcome <outcome>", choices: ["success", "error", "pending"] },
      { flags: "--set <path=value>", parse: collect as Parser },
      { flags: "--add <path=value>", parse: collect as Parser },
      { flags: "--unset <path>", parse: collect as Parser },
      { flags: "--data <file>" },
      { flags: "--count <n>", parse: int(1, 10_000_000), default: 1 },
      { flags: "--concurrency <n>", parse: int(1, 1024), default: 8 },
      { flags: "--timeout <ms>", parse: timeoutOption as Parser, default: 15_000 },
      { flags: "--retry" },
      { flags: "--retry-base <ms>", parse: retryBaseOption as Parser },
      { flags: "--pending" },
      { flags: "--speed <factor>", parse: positiveNumber },
      { flags: "--pause-after <duration>", parse: duration },
      { flags: "--sandbox <mock-url>", parse: httpUrl },
      { flags: "--seed <n>", parse: int(0, 4_294_967_295) },
      { flags: "--db <path>", parse: dbPath },
      { flags: "--json" },
    ],
    // A scenario asks commander whether --concurrency was typed; --duplicate [n] has an optional value.
    declineWith: ["--scenario", "--duplicate"],
    load: () => import("../commands/simulate.js"),
  },
  {
    path: ["events", "list"],
    args: [],
    options: [
      { flags: "--event <name>", parse: filter("--event") },
      { flags: "--account-id <id>", parse: filter("--account-id") },
      { flags: "--verdict <verdict>" },
      { flags: "--since <when>", parse: since },
      { flags: "--limit <n>", parse: int(1), default: 50 },
      { flags: "--db <path>", parse: dbPath },
      { flags: "--json" },
    ],
    load: () => import("../commands/events/list.js"),
  },
  {
    path: ["events", "show"],
    args: ["<id>"],
    options: [{ flags: "--db <path>", parse: dbPath }, { flags: "--json" }],
    load: () => import("../commands/events/show.js"),
  },
  {
    path: ["fixtures", "show"],
    args: ["<event>"],
    options: [{ flags: "--json" }, { flags: "--api-version <date>", parse: apiVersionDate }],
    load: () => import("../commands/fixtures/show.js"),
  },
  {
    path: ["verify"],
    args: ["[id]"],
    options: [
      { flags: "--body <file>" },
      { flags: "--signature <header>" },
      { flags: "--timestamp <t>" },
      { flags: "--secret <secret>", parse: secret("--secret") },
      { flags: "--tolerance <seconds>", parse: int(1), default: 300 },
      { flags: "--now <time>" },
      { flags: "--db <path>", parse: dbPath },
      { flags: "--json" },
    ],
    load: () => import("../commands/verify.js"),
  },
  {
    path: ["replay"],
    args: ["[ids...]"],
    options: [
      { flags: "--to <url>", parse: httpUrl },
      { flags: "--event <name>", parse: filter("--event") },
      { flags: "--account-id <id>", parse: filter("--account-id") },
      { flags: "--since <when>", parse: since },
      { flags: "--verdict <verdict>" },
      { flags: "--all" },
      { flags: "--as-recorded" },
      { flags: "--include-unverified" },
      { flags: "--include-rejected" },
      { flags: "--secret <secret>", parse: secret("--secret") },
      { flags: "--concurrency <n>", parse: int(1, 1024), default: 8 },
      { flags: "--timeout <ms>", parse: timeoutOption as Parser, default: 15_000 },
      { flags: "--retry" },
      { flags: "--retry-base <ms>", parse: retryBaseOption as Parser },
      { flags: "--db <path>", parse: dbPath },
      { flags: "--json" },
    ],
    load: () => import("../commands/replay.js"),
  },
  {
    path: ["webhooks", "list"],
    args: [],
    options: [{ flags: "--limit <n>", parse: int(1) }, { flags: "--page-size <n>", parse: int(1, 100), default: 25 }, ...TARGET_OPTIONS],
    load: () => import("../commands/webhooks/list.js"),
  },
];

/** "--page-size <n>" -> { long: "--page-size", key: "pageSize", takesValue: true }, as commander names it. */
export function optionName(flags: string): { long: string; key: string; takesValue: boolean } {
  const [long = "", value] = flags.split(" ");
  const key = long.slice(2).replace(/-([a-z])/g, (_, letter: string) => letter.toUpperCase());
  return { long, key, takesValue: value !== undefined };
}

export interface FastParse {
  command: FastCommand;
  args: (string | string[] | undefined)[];
  options: Record<string, unknown>;
}

/** argv (node, script, ...) read as commander would read it, or undefined when commander must. */
export function parseFast(argv: readonly string[]): FastParse | undefined {
  const words = argv.slice(2);
  const command = FAST_COMMANDS.find((candidate) => candidate.path.every((part, index) => words[index] === part));
  if (!command) return undefined;
  const options: Record<string, unknown> = {};
  const byLong = new Map<string, FastOption>();
  for (const option of command.options) {
    const { long, key } = optionName(option.flags);
    byLong.set(long, option);
    if (option.default !== undefined) options[key] = option.default;
  }
  const positional: string[] = [];
  const rest = words.slice(command.path.length);
  try {
    for (let index = 0; index < rest.length; index++) {
      const word = rest[index] as string;
      if (!word.startsWith("-")) {
        positional.push(word);
        continue;
      }
      if (!word.startsWith("--") || word === "--") return undefined;
      const equals = word.indexOf("=");
      const long = equals === -1 ? word : word.slice(0, equals);
      if (command.declineWith?.includes(long)) return undefined;
      const option = byLong.get(long);
      if (!option) return undefined;
      const { key, takesValue } = optionName(option.flags);
      if (!takesValue) {
        if (equals !== -1) return undefined;
        options[key] = true;
        continue;
      }
      const value = equals === -1 ? rest[++index] : word.slice(equals + 1);
      // A missing value, or one that looks like an option: commander's call.
      if (value === undefined || (value.startsWith("-") && value !== "-")) return undefined;
      if (option.choices && !option.choices.includes(value)) return undefined;
      options[key] = option.parse ? option.parse(value, options[key] as never) : value;
    }
  } catch {
    // The value does not parse: commander says so in its own words.
    return undefined;
  }
  // A last argument declared "[ids...]" takes the rest, as an array (empty when none are given).
  const variadic = command.args.at(-1)?.endsWith("...]") === true;
  const fixed = variadic ? command.args.slice(0, -1) : command.args;
  if (!variadic && positional.length > fixed.length) return undefined;
  const args: (string | string[] | undefined)[] = fixed.map((declared, index) => positional[index]);
  if (fixed.some((declared, index) => declared.startsWith("<") && args[index] === undefined)) return undefined;
  if (variadic) args.push(positional.slice(fixed.length));
  return { command, args, options };
}

/** The command a fast-path argv runs, ready to call; undefined sends argv to commander. */
export function fastAction(argv: readonly string[]): (() => Promise<void>) | undefined {
  const parsed = parseFast(argv);
  if (!parsed) return undefined;
  return async () => {
    const { run } = await parsed.command.load();
    await (run as (...a: unknown[]) => Promise<void>)(...parsed.args, parsed.options);
  };
}
