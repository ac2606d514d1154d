import type { SettingSource } from "../config.js";
import { redactTypedUrl } from "../redact-url.js";

/** A target setting, named as the config file names it; each adapter knows its flag and variable. */
export type TargetSetting = "env" | "base-url" | "api-version" | "db";

/** Where a setting's value came from, and the value. */
export interface SettingOrigin {
  setting: TargetSetting;
  source: SettingSource;
  value: string;
}

export type TargetErrorData =
  /** An environment and a base URL given at once, where they would contradict each other. */
  | { kind: "env_and_base_url" }
  | { kind: "not_an_environment"; origin: SettingOrigin; allowed: readonly string[] }
  | { kind: "not_an_http_url"; origin: SettingOrigin }
  | { kind: "not_a_version"; origin: SettingOrigin; allowed: readonly string[] }
  /** A database file beside an HTTP API, which keeps its own webhooks: it would be ignored. `because` says what chose the API. */
  | { kind: "db_beside_api"; api: string; because: SettingOrigin | undefined }
  /** A real Pinwheel environment and only the public default secret. */
  | { kind: "no_secret"; environment: string };

function describe(data: TargetErrorData): string {
  switch (data.kind) {
    case "env_and_base_url":
      return "an environment and a base URL, not both";
    case "not_an_environment":
      return `"${data.origin.value}" is not an environment (${data.allowed.join(", ")})`;
    case "not_an_http_url":
      return `"${redactTypedUrl(data.origin.value)}" is not an http(s) URL`;
    case "not_a_version":
      return `"${data.origin.value}" is not a Pinwheel-Version (${data.allowed.join(", ")})`;
    case "db_beside_api":
      return `a database file is for the local registry, but these webhooks go to ${data.api}`;
    case "no_secret":
      return `no API secret for Pinwheel ${data.environment}`;
  }
}

/** Where webhooks live could not be settled from the settings; the data says which setting and why. */
export class TargetError extends Error {
  override readonly name = "TargetError";
  constructor(readonly data: TargetErrorData) {
    super(describe(data));
  }
}

export function isTargetError(error: unknown): error is TargetError {
  return error instanceof TargetError;
}
