import { timingSafeEqual } from "node:crypto";
import { signWebhook } from "../signing.js";
import type { BodyVariant } from "./body-variants.js";
import type { SecretVariant } from "./secret-variants.js";

export interface TimestampVariant {
  text: string;
  /** Set when this is the given timestamp converted from milliseconds to seconds. */
  fromMilliseconds?: true;
}

/** One candidate per dimension; `undefined` means "as given". */
export interface Explanation {
  timestamp?: TimestampVariant;
  secret?: SecretVariant;
  body?: BodyVariant;
}

export interface SearchSpace {
  signature: string;
  timestamp: string;
  secret: string;
  body: Uint8Array;
  timestamps: readonly TimestampVariant[];
  secrets: readonly SecretVariant[];
  bodies: readonly BodyVariant[];
}

function matches(signature: Buffer, secret: string, timestamp: string, body: Uint8Array): boolean {
  const candidate = Buffer.from(signWebhook(secret, timestamp, body));
  return candidate.length === signature.length && timingSafeEqual(candidate, signature);
}

/**
 * The simplest combination of changes under which the signature matches: none before one, one
 * before two, so a single mistake is never reported as a pile of them. Undefined if none does.
 */
export function findExplanation(space: SearchSpace): Explanation | undefined {
  const signature = Buffer.from(space.signature);
  const timestamps: (TimestampVariant | undefined)[] = [undefined, ...space.timestamps];
  const secrets: (SecretVariant | undefined)[] = [undefined, ...space.secrets];
  const bodies: (BodyVariant | undefined)[] = [undefined, ...space.bodies];
  for (let changes = 0; changes <= 3; changes++) {
    for (const timestamp of timestamps) {
      for (const secret of secrets) {
        for (const body of bodies) {
          if (Number(timestamp !== undefined) + Number(secret !== undefined) + Number(body !== undefined) !== changes) continue;
          const ok = matches(
            signature,
            secret?.secret ?? space.secret,
            timestamp?.text ?? space.timestamp,
            body?.bytes ?? space.body,
          );
          if (ok) return { timestamp, secret, body };
        }
      }
    }
  }
  return undefined;
}
