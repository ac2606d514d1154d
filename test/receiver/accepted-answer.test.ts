/** How simulate and smoke know their target was pinwheel-cli's own listen: its answer to a stored request. */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { buildEvent } from "../../src/events/build.js";
import { isListenAnswer } from "../../src/receiver/accepted-answer.js";
import { startReceiver, type Receiver } from "../../src/receiver/server.js";
import { signedHeaders } from "../../src/signing.js";
import { openDatabase, type Db } from "../../src/store/database.js";
import { receiverOptions } from "../helpers/receiver.js";

const SECRET = "accepted-answer-secret";
let dir: string;
let db: Db;
let receiver: Receiver;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), "pinwheel-accepted-answer-"));
  db = openDatabase(join(dir, "events.db"));
  receiver = await startReceiver(receiverOptions(join(dir, "events.db"), SECRET));
});

afterAll(async () => {
  await receiver.close();
  db.close();
  rmSync(dir, { recursive: true, force: true });
});

async function post(body: string, headers: Record<string, string>): Promise<{ status: number; text: string }> {
  const response = await fetch(`http://127.0.0.1:${receiver.port}/webhooks`, { method: "POST", body, headers });
  return { status: response.status, text: await response.text() };
}

describe("isListenAnswer", () => {
  it("recognises the receiver's 200 to a stored request, the first time and as a duplicate", async () => {
    const body = JSON.stringify(buildEvent("income.added", {}));
    const headers = { "content-type": "application/json", ...signedHeaders(SECRET, body) };
    for (const duplicate of [false, true]) {
      const answer = await post(body, headers);
      expect(answer.status).toBe(200);
      expect(JSON.parse(answer.text)).toMatchObject({ received: true, duplicate });
      expect(isListenAnswer(answer.text), answer.text).toBe(true);
    }
  });

  it("and not its refusals", async () => {
    const refused = await post("{}", { "content-type": "application/json" });
    expect(refused.status).toBe(401);
    expect(isListenAnswer(refused.text)).toBe(false);
  });

  it.each([
    ["no answer", undefined],
    ["an app's acknowledgement", '{"received":true}'],
    ["one with a member listen does not send", '{"received":true,"id":1,"event_id":"e","duplicate":false,"user":"u"}'],
    ["an id that is not a row id", '{"received":true,"id":"1","event_id":"e","duplicate":false}'],
    ["listen --forward-status relaying the app's answer", '{"forwarded":true,"id":1,"status_code":200,"error":null}'],
    ["text that begins like it", '{"received":true,"id":1,'],
  ])("not %s", (_, text) => {
    expect(isListenAnswer(text)).toBe(false);
  });

  it("a null event_id (a body without one) is listen's too", () => {
    expect(isListenAnswer('{"received":true,"id":7,"event_id":null,"duplicate":false}')).toBe(true);
  });
});
