// The baselines' signature check, shared so the bare receiver and the requirements floor verify
// with the very same code: Pinwheel's v2 HMAC-SHA256 over the raw body (as src/signing.ts), then
// the timestamp's age.
import { createHmac, timingSafeEqual } from "node:crypto";

const SIGNATURE = /^v2=([0-9a-f]{64})$/;
const TIMESTAMP = /^\d{1,15}$/;

export function verdictFor(secret, toleranceSeconds, headers, body, nowMs) {
  const signature = headers["x-pinwheel-signature"];
  const timestamp = headers["x-timestamp"];
  if (typeof signature !== "string" || typeof timestamp !== "string") return "missing_header";
  const match = SIGNATURE.exec(signature);
  if (!match || !TIMESTAMP.test(timestamp)) return "malformed";
  const expected = createHmac("sha256", secret).update(`v2:${timestamp}:`, "utf8").update(body).digest();
  if (!timingSafeEqual(expected, Buffer.from(match[1], "hex"))) return "bad_signature";
  if (Math.abs(nowMs / 1000 - Number(timestamp)) > toleranceSeconds) return "stale_timestamp";
  return "verified";
}
