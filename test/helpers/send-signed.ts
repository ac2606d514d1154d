import { request } from "undici";
import { buildEvent } from "../../src/events/build.js";
import { signedHeaders } from "../../src/signing.js";

/** Sends one freshly built, signed income.added to a receiver over real HTTP; resolves to the answer's status. */
export async function sendSignedEvent(url: string, secret: string): Promise<number> {
  const body = JSON.stringify(buildEvent("income.added"));
  const response = await request(url, { method: "POST", headers: signedHeaders(secret, body), body });
  await response.body.dump();
  return response.statusCode;
}
