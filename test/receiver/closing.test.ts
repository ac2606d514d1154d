/** Closing the receiver (Ctrl+C): what it waits for, and what it does not. */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { startReceiver, type Receiver } from "../../src/receiver/server.js";
import { signWebhook } from "../../src/signing.js";
import { openDatabase } from "../../src/store/database.js";
import { requestStore } from "../../src/store/requests.js";
import { httpRequest, openSocket, textUntilClosed } from "../helpers/raw-client.js";
import { receiverOptions } from "../helpers/receiver.js";

const SECRET = "closing-secret";
let dir: string | undefined;
let receiver: Receiver | undefined;

afterEach(async () => {
  await receiver?.close(0);
  receiver = undefined;
  if (dir) rmSync(dir, { recursive: true, force: true });
  dir = undefined;
});

/** A receiver on a store of its own, and that store's path. */
async function startClosable(): Promise<{ receiver: Receiver; dbPath: string }> {
  dir = mkdtempSync(join(tmpdir(), "pinwheel-closing-"));
  const dbPath = join(dir, "events.db");
  receiver = await startReceiver(receiverOptions(dbPath, SECRET));
  return { receiver, dbPath };
}

/** A signed webhook as raw HTTP/1.1. A pooled client (Pinwheel's sender, undici, a browser) sends no "connection: close": keepAlive. */
function signedRequest(eventId: string, { keepAlive = false } = {}): Buffer {
  const timestamp = String(Math.floor(Date.now() / 1000));
  const body = Buffer.from(JSON.stringify({ event: "income.added", event_id: eventId, payload: { account_id: "a" } }));
  const bytes = httpRequest("POST", "/", [["x-timestamp", timestamp], ["x-pinwheel-signature", signWebhook(SECRET, timestamp, body)], ["content-type", "application/json"]], body);
  return keepAlive ? Buffer.from(bytes.toString("latin1").replace("connection: close\r\n", ""), "latin1") : bytes;
}

function storedRows(dbPath: string): number {
  const db = openDatabase(dbPath);
  try {
    return requestStore(db).count();
  } finally {
    db.close();
  }
}

describe("closing the receiver", () => {
  it("lets go at once of a connection that never sent a byte (a browser's preconnect), while a request begun before the close gets its grace, an answer and a row", async () => {
    const { receiver: closing, dbPath } = await startClosable();
    const silent = await openSocket(closing.port);
    const begun = await openSocket(closing.port);
    const bytes = signedRequest("6f0c7a52-1f4e-4b8e-9d0a-3c2b1a0f9e8d");
    const half = bytes.length - 20;
    begun.write(bytes.subarray(0, half));
    const silentClosed = textUntilClosed(silent);
    const answered = textUntilClosed(begun);
    await new Promise((resolve) => setTimeout(resolve, 50));

    const started = Date.now();
    const closed = closing.close(3_000);
    await silentClosed;
    expect(Date.now() - started).toBeLessThan(1_000);

    begun.write(bytes.subarray(half));
    expect(await answered).toMatch(/^HTTP\/1\.1 200 /);
    await closed;
    receiver = undefined;
    expect(Date.now() - started).toBeLessThan(2_500);
    expect(storedRows(dbPath)).toBe(1);
  });

  it("lets a kept-alive connection go once its request, begun before the close, is answered (node still answers keep-alive while closing)", async () => {
    const { receiver: closing, dbPath } = await startClosable();
    const begun = await openSocket(closing.port);
    const bytes = signedRequest("0b7e2c1d-5a3f-4c6e-8d9b-1a2b3c4d5e6f", { keepAlive: true });
    const half = bytes.length - 20;
    begun.write(bytes.subarray(0, half));
    const answered = textUntilClosed(begun);
    await new Promise((resolve) => setTimeout(resolve, 50));

    const started = Date.now();
    const closed = closing.close(3_000);
    begun.write(bytes.subarray(half));
    expect(await answered).toMatch(/^HTTP\/1\.1 200 /);
    await closed;
    receiver = undefined;
    // Not held, idle, until the grace cuts it off.
    expect(Date.now() - started).toBeLessThan(1_000);
    expect(storedRows(dbPath)).toBe(1);
  });
});
