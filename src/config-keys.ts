/**
 * The config file's keys, apart from config.ts so that building the command line (which lists
 * them in `config` help) does not load the file reader and its zod schema on every start-up.
 */
export const CONFIG_KEYS = ["api-secret", "env", "base-url", "api-version", "default-url", "db", "end-user-id"] as const;
export type ConfigKey = (typeof CONFIG_KEYS)[number];
