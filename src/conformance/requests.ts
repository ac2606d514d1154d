import { randomBytes, randomUUID } from "node:crypto";
import { SIGNATURE_HEADER, signedHeaders, signWebhook, TIMESTAMP_HEADER } from "../signing.js";
import type { WebhookEnvelope } from "../events/fixtures.js";
import { defined } from "../invariant.js";

/** A request for the handler: the body's bytes and the exact headers, nothing added on the way. */
export interface ProbeRequest {
  label: string;
  event: string;
  eventId: string;
  body: string;
  headers: Record<string, string>;
}

export interface Signer {
  secret: string;
  webhookId: string;
  /** Unix seconds, as x-timestamp carries them. */
  nowSeconds(): number;
}

export function bodyOf(envelope: WebhookEnvelope): string {
  return JSON.stringify(envelope);
}

/** Signed as Pinwheel signs: the three headers plus the webhook id, at `timestamp` (default now). */
export function genuine(signer: Signer, envelope: WebhookEnvelope, label: string, timestamp = signer.nowSeconds()): ProbeRequest {
  const body = bodyOf(envelope);
  return {
    label,
    event: envelope.event,
    eventId: envelope.event_id,
    body,
    headers: signedHeaders(signer.secret, body, { timestamp, webhookId: signer.webhookId }),
  };
}

function withHeaders(request: ProbeRequest, label: string, change: (headers: Record<string, string>) => void): ProbeRequest {
  const headers = { ...request.headers };
  change(headers);
  return { ...request, label, headers };
}

/** The forgeries a negative check can send, each from a genuine request for the same envelope. */
export const forgeries = {
  /** Not an HMAC at all, and 16 hex characters where 64 belong. */
  madeUpSignature(request: ProbeRequest, label: string): ProbeRequest {
    return withHeaders(request, label, (headers) => (headers[SIGNATURE_HEADER] = `v2=${randomBytes(8).toString("hex")}`));
  },

  wrongSecret(signer: Signer, request: ProbeRequest, label: string): ProbeRequest {
    const otherSecret = `${signer.secret}-not-this-one-${randomBytes(4).toString("hex")}`;
    return withHeaders(request, label, (headers) => (headers[SIGNATURE_HEADER] = signWebhook(otherSecret, defined(headers[TIMESTAMP_HEADER], "the timestamp header of a genuine request"), request.body)));
  },

  withoutSignature(request: ProbeRequest, label: string): ProbeRequest {
    return withHeaders(request, label, (headers) => delete headers[SIGNATURE_HEADER]);
  },

  /** Signed over an empty timestamp ("v2::<body>"), as a handler that reads a missing header as "" would compute it. */
  withoutTimestamp(signer: Signer, request: ProbeRequest, label: string): ProbeRequest {
    return withHeaders(request, label, (headers) => {
      delete headers[TIMESTAMP_HEADER];
      headers[SIGNATURE_HEADER] = signWebhook(signer.secret, "", request.body);
    });
  },

  /** The signed headers sent with another body: the bytes are not the ones signed. */
  withBody(request: ProbeRequest, body: string, label: string): ProbeRequest {
    return { ...request, label, body };
  },
};

/** The same JSON value in other bytes: what a parse-then-reserialize verifier cannot tell apart. */
export function reformatted(body: string): string {
  return JSON.stringify(JSON.parse(body), null, 1);
}

/** A payload value changed after signing (the account, as an attacker redirecting an event would). */
export function alteredEnvelope(envelope: WebhookEnvelope): WebhookEnvelope {
  return { ...envelope, payload: { ...envelope.payload, account_id: randomUUID() } };
}
