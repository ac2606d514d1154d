// A stored request as listen builds it for a signed paystubs.added, with fresh ids each call:
// the row bench/commit-cost.js and bench/insert-cost.js write. `dist` is the build's dist/ URL.
import { randomUUID } from "node:crypto";

export async function syntheticRows(dist) {
  const { buildEvent } = await import(`${dist}events/build.js`);
  const { envelopeTemplate } = await import(`${dist}events/template.js`);
  const render = envelopeTemplate(buildEvent("paystubs.added"));
  const webhookId = randomUUID();
  return function newRow() {
    const body = Buffer.from(render(randomUUID(), randomUUID()));
    return {
      id: 0,
      receivedAt: new Date().toISOString(),
      method: "POST",
      path: "/",
      headers: [["content-type", "application/json"], ["x-pinwheel-signature", `v2=${"ab".repeat(32)}`], ["x-timestamp", "1764480000"], ["x-pinwheel-webhook-id", webhookId], ["host", "127.0.0.1:40000"], ["content-length", String(body.length)]],
      body,
      bodySize: body.length,
      bodyTruncated: false,
      event: "paystubs.added",
      eventId: randomUUID(),
      accountId: "03bbc20e-bc39-4c4a-8f6c-1f2e3d4c5b6a",
      webhookId,
      verification: "verified",
      verificationDetail: null,
      schemaErrors: null,
      rejection: null,
      duplicate: false,
      statusCode: 200,
      remoteAddress: "127.0.0.1",
    };
  };
}
