import { validateWebhookEvent } from "../../src/events/schemas.js";
import type { ReceiverOptions } from "../../src/receiver/server.js";

/** What every receiver test starts from: loopback on a free port, listen's defaults, a store and its file. */
export function receiverOptions(dbPath: string, secret: string, overrides: Partial<ReceiverOptions> = {}): ReceiverOptions {
  return { dbPath, host: "127.0.0.1", port: 0, secret, toleranceSeconds: 300, skipVerify: false, validate: validateWebhookEvent, ...overrides };
}
