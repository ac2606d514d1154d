import { createHash } from "node:crypto";

/**
 * Which API key a local webhook belongs to, as Pinwheel scopes webhooks and the quota per key.
 * A one-way fingerprint: the secret itself is never written to the database.
 */
export function apiKeyFingerprint(secret: string): string {
  return `sha256:${createHash("sha256").update(secret, "utf8").digest("hex").slice(0, 24)}`;
}
