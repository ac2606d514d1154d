// Plain data, loaded at CLI start-up for option choices and help text: no imports.

/** Where each environment's API lives (FACTS.md); `local` is the embedded registry, no URL. */
export const ENVIRONMENT_BASE_URLS = {
  sandbox: "https://sandbox.getpinwheel.com",
  development: "https://development.getpinwheel.com",
  production: "https://api.getpinwheel.com",
  local: null,
} as const;

export type Environment = keyof typeof ENVIRONMENT_BASE_URLS;
export const ENVIRONMENTS = Object.keys(ENVIRONMENT_BASE_URLS) as Environment[];
/** Until the user configures another, commands work against the local registry: no account needed. */
export const DEFAULT_ENVIRONMENT: Environment = "local";

export function isEnvironment(value: string): value is Environment {
  return Object.hasOwn(ENVIRONMENT_BASE_URLS, value);
}

/** The Pinwheel-Version values seen in Pinwheel's published schemas, oldest first. */
export const PINWHEEL_VERSIONS = ["2022-09-09", "2023-04-18", "2023-07-18", "2023-11-22", "2025-07-08"] as const;
export type PinwheelVersion = (typeof PINWHEEL_VERSIONS)[number];
export const NEWEST_VERSION: PinwheelVersion = "2025-07-08";

export function isPinwheelVersion(value: string): value is PinwheelVersion {
  return (PINWHEEL_VERSIONS as readonly string[]).includes(value);
}

export const WEBHOOK_STATUSES = ["active", "paused"] as const;
export type WebhookStatus = (typeof WEBHOOK_STATUSES)[number];

/** Pinwheel refuses an eleventh webhook for one API key. */
export const MAX_WEBHOOKS_PER_KEY = 10;
export const DEFAULT_PAGE_SIZE = 25;
export const MAX_PAGE_SIZE = 100;
/** Pinwheel sets a webhook that has failed for this long to `paused` (docs/002). */
export const PINWHEEL_PAUSE_AFTER_MS = 30 * 86_400_000;
