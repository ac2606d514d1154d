import { SIGNATURE_HEADER } from "../signature-headers.js";

const SIGNATURE = /^v2=[0-9a-f]{64}$/i;
const HEX_DIGEST = /^[0-9a-f]{64}$/i;

export interface NormalizedSignature {
  signature: string;
  /** What had to be fixed, e.g. 'has no "v2=" prefix'; empty when the value was already well formed. */
  fixes: string[];
}

/**
 * Recovers "v2=<hex>" from the ways a signature gets copied wrong: the header name in front,
 * quotes around it, the prefix dropped or written "v2:". Undefined when nothing recognisable is left.
 */
export function normalizeSignature(given: string): NormalizedSignature | undefined {
  const fixes: string[] = [];
  let value = given.trim();
  const named = new RegExp(`^${SIGNATURE_HEADER}\\s*:\\s*`, "i");
  if (named.test(value)) {
    value = value.replace(named, "");
    fixes.push("has the header name in front of it");
  }
  const quote = value[0];
  if (value.length >= 2 && (quote === '"' || quote === "'") && value.endsWith(quote)) {
    value = value.slice(1, -1).trim();
    fixes.push("is wrapped in quotes");
  }
  if (HEX_DIGEST.test(value)) {
    value = `v2=${value}`;
    fixes.push('has no "v2=" prefix');
  } else if (/^v2:[0-9a-f]{64}$/i.test(value)) {
    value = `v2=${value.slice(3)}`;
    fixes.push('says "v2:" instead of "v2="');
  }
  return SIGNATURE.test(value) ? { signature: value.toLowerCase(), fixes } : undefined;
}
