/**
 * Names a Stripe CLI user types out of habit, and what pinwheel-cli has instead. An unknown
 * option or command is looked up here before commander's spelling guess, which would otherwise
 * offer whatever is closest in letters (`--format` -> "--port").
 *
 * Each piece of advice names only what this CLI has: test/cli/stripe-names.test.ts checks every
 * option and command it names against the program.
 */

export interface StripeName {
  kind: "option" | "command";
  /** As typed: "--format", "-f", "resend". */
  typed: string;
  /** The commands it is said on, by path after "pinwheel-cli" ("" is the program itself); absent: any. */
  on?: readonly string[];
  /** An option the advice names: said only on a command that has it. */
  needs?: string;
  /** The rest of the error line, after "unknown option '--format'; ". */
  advice: string;
}

const JSON_ADVICE = 'for JSON, use "--json"';
const NEWEST_STORED = 'the newest stored request is the first of "pinwheel-cli events list --limit 1"; send it again with "pinwheel-cli replay <id>"';

export const STRIPE_NAMES: readonly StripeName[] = [
  { kind: "option", typed: "--format", needs: "--json", advice: JSON_ADVICE },
  { kind: "option", typed: "--print-json", needs: "--json", advice: JSON_ADVICE },
  { kind: "option", typed: "-f", on: ["listen"], advice: 'to forward events to your app, use "--forward-to <url>"' },
  { kind: "option", typed: "-e", on: ["listen"], advice: 'to choose the events, use "--events <a,b,...>"' },
  {
    kind: "option",
    typed: "--print-secret",
    on: ["listen"],
    advice:
      "Pinwheel signs with your workspace's API secret, not a per-listener signing secret: " +
      'pass it with --secret, or set PINWHEEL_API_SECRET (or "pinwheel-cli config set api-secret")',
  },
  {
    kind: "option",
    typed: "--forward-connect-to",
    on: ["listen"],
    advice: 'Pinwheel has no Connect events: "--forward-to <url>" forwards every event (narrow with --events)',
  },
  {
    // The Stripe CLI's listen --latest asks for the newest API version's payloads.
    kind: "option",
    typed: "--latest",
    on: ["listen"],
    advice: 'payloads come in the version of the webhook that sends them; "--register" registers one at the newest version',
  },
  { kind: "option", typed: "--latest", on: ["events", "events list", "events show", "replay"], advice: NEWEST_STORED },
  { kind: "option", typed: "--override", on: ["simulate"], advice: 'to change a field, use "--set <path=value>"' },
  { kind: "option", typed: "--remove", on: ["simulate"], advice: 'to remove a field, use "--unset <path>"' },
  { kind: "option", typed: "--enabled-events", on: ["webhooks create", "webhooks update"], advice: 'use "--events <a,b,...>"' },
  { kind: "command", typed: "resend", on: ["events"], advice: 'use "pinwheel-cli replay <id>" (alias "resend")' },
  { kind: "command", typed: "retrieve", on: ["events"], advice: 'use "pinwheel-cli events show <id>"' },
  {
    kind: "command",
    typed: "logs",
    on: [""],
    advice: 'to watch webhooks as they arrive, use "pinwheel-cli listen" ("pinwheel-cli deliveries list" shows what was sent)',
  },
];

/** Where an unknown name was typed: the command's path after "pinwheel-cli", and whether it has an option. */
export interface TypedWhere {
  path: string;
  has(option: string): boolean;
}

/** What to say instead of a spelling guess, for a Stripe CLI name typed here; undefined for any other. */
export function stripeNameAdvice(kind: StripeName["kind"], typed: string, where: TypedWhere): string | undefined {
  // `--format=json` is reported whole.
  const name = kind === "option" ? typed.replace(/=.*$/s, "") : typed;
  const found = STRIPE_NAMES.find(
    (entry) =>
      entry.kind === kind &&
      entry.typed === name &&
      (entry.on === undefined || entry.on.includes(where.path)) &&
      (entry.needs === undefined || where.has(entry.needs)),
  );
  return found?.advice;
}
