import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { verifyWebhook } from "../../src/signing.js";

export interface ReceivedEvent {
  event: string;
  event_id: string;
  payload: Record<string, unknown>;
  webhookId: string | undefined;
  verified: boolean;
}

export interface WebhookSink {
  url: string;
  received: ReceivedEvent[];
  close(): Promise<void>;
}

/** A real HTTP endpoint on 127.0.0.1 that verifies each delivery with `secret` and keeps it, answering `status`. */
export async function startWebhookSink(secret: string, status = 200): Promise<WebhookSink> {
  const received: ReceivedEvent[] = [];
  const server: Server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on("data", (chunk: Buffer) => chunks.push(chunk));
    request.on("end", () => {
      const body = Buffer.concat(chunks);
      const verified = verifyWebhook({ secret, headers: request.headers, rawBody: body }).ok;
      const json = JSON.parse(body.toString("utf8")) as Omit<ReceivedEvent, "webhookId" | "verified">;
      received.push({ ...json, webhookId: request.headers["x-pinwheel-webhook-id"] as string | undefined, verified });
      response.writeHead(status, { "content-type": "application/json" }).end("{}");
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/webhooks`,
    received,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
