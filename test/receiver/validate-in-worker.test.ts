/**
 * The built receiver (dist/, what the CLI runs) validates payloads in its commit worker, off the
 * main thread; src/ run by vitest has no JavaScript for a worker to import and validates on the
 * main thread. Both must store and hand on the same schema errors, committed before the answer.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import Database from "better-sqlite3";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { buildEvent } from "../../src/events/build.js";
import { validateWebhookEvent } from "../../src/events/schemas.js";
import { completeParams } from "../../src/receiver/validate-in-worker.js";
import * as sourceReceiver from "../../src/receiver/server.js";
import { signWebhook } from "../../src/signing.js";
import { openDatabase, type Db } from "../../src/store/database.js";
import { insertParams, SCHEMA_ERRORS_FROM_BODY, SCHEMA_ERRORS_PARAM, type StoredRequest } from "../../src/store/requests.js";
import { httpRequest, rawRequest } from "../helpers/raw-client.js";
import { storedRow } from "../helpers/stored-requests.js";
import { receiverOptions } from "../helpers/receiver.js";

const SECRET = "validate-in-worker-secret";
// vitest's globalSetup rebuilds dist/ when src/ is newer, so this is the code under test.
const builtReceiver = (await import(pathToFileURL(join(process.cwd(), "dist/receiver/server.js")).href)) as typeof sourceReceiver;

const income = buildEvent("income.added") as { event: string; event_id: string; payload: Record<string, unknown> };

/** Bodies whose schema errors differ: none, a bad field, an unknown event, no usable event name; and an envelope refused before validation. */
const BODIES: Record<string, string> = {
  valid: JSON.stringify({ ...income, event_id: "evt_valid" }),
  "breaks its schema": JSON.stringify({ ...income, event_id: "evt_schema", payload: { ...income.payload, outcome: "partial" } }),
  "unknown event": JSON.stringify({ event: "loans.originated", event_id: "evt_unknown", payload: { loan_id: 7 } }),
  "not an envelope": JSON.stringify({ event: "income.added", payload: income.payload }),
};

let dir: string;

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), "pinwheel-validate-in-worker-"));
});

afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
});

interface Received {
  status: number | null;
  /** What the receiver handed on (the line and the page get this). */
  handedOn: StoredRequest;
  /** The row as another connection reads it the moment the answer arrived. */
  stored: { schema_errors: string | null; status_code: number };
}

/** Sends each body to a receiver (signed, or with a bad signature) and collects what came of it. */
async function receive(start: typeof sourceReceiver.startReceiver, name: string, options: Partial<sourceReceiver.ReceiverOptions> = {}): Promise<Received[]> {
  const dbPath = join(dir, `${name}.db`);
  const db: Db = openDatabase(dbPath);
  const handedOn = new Map<number, StoredRequest>();
  const receiver = await start(receiverOptions(dbPath, SECRET, { onStored: (request) => handedOn.set(request.id, request), ...options }));
  const reader = new Database(dbPath, { readonly: true });
  const received: Received[] = [];
  try {
    for (const body of Object.values(BODIES)) {
      for (const secret of [SECRET, "sk_someone_else"]) {
        const timestamp = String(Math.floor(Date.now() / 1000));
        const headers: [string, string][] = [
          ["x-timestamp", timestamp],
          ["x-pinwheel-signature", signWebhook(secret, timestamp, Buffer.from(body))],
        ];
        const answer = await rawRequest(receiver.port, httpRequest("POST", "/", headers, Buffer.from(body)));
        const id = Number(/"id":(\d+)/.exec(answer.text)?.[1]);
        const stored = reader.prepare("SELECT schema_errors, status_code FROM requests WHERE id = ?").get(id) as Received["stored"];
        received.push({ status: answer.status, handedOn: handedOn.get(id)!, stored });
      }
    }
  } finally {
    reader.close();
    await receiver.close();
    db.close();
  }
  return received;
}

/** What validating on the main thread records for a body (the library's own validator). */
function expectedIssues(body: string) {
  const validation = validateWebhookEvent(JSON.parse(body));
  return validation.ok ? null : validation.issues;
}

describe("payload validation in the commit worker", () => {
  it.each([
    ["in its commit worker", 0],
    ["committing on the main thread (few connections)", 16],
  ])("the built receiver validates with the worker's module (%s), never with classify's validator, and stores, before answering, what the main thread would", async (name, commitHereUpTo) => {
    const mainThreadValidation = () => {
      throw new Error("validated on the main thread");
    };
    const built = await receive(builtReceiver.startReceiver, `built-${commitHereUpTo}`, { validate: mainThreadValidation, commitHereUpTo });
    const source = await receive(sourceReceiver.startReceiver, `source-${commitHereUpTo}`, { commitHereUpTo });
    expect(built.map((r) => r.status)).toEqual([200, 401, 200, 401, 200, 401, 400, 401]);
    const withoutIds = ({ handedOn, ...rest }: Received) => ({ ...rest, handedOn: { ...handedOn, id: 0, receivedAt: "", headers: [], remoteAddress: null } });
    expect(built.map(withoutIds)).toEqual(source.map(withoutIds));
    const names = Object.keys(BODIES).flatMap((name) => [name, name]);
    built.forEach((received, index) => {
      const name = names[index]!;
      const body = BODIES[name]!;
      // A body that is no envelope is not validated (signed, it is refused 400); a bad signature still has its payload checked.
      const issues = name === "not an envelope" ? null : expectedIssues(body);
      expect(received.handedOn.schemaErrors, body).toEqual(issues);
      expect(received.stored.schema_errors, body).toBe(issues === null ? null : JSON.stringify(issues));
    });
    expect(built.filter((r) => r.handedOn.schemaErrors !== null).length).toBeGreaterThanOrEqual(4);
  });

  it("src/ has no worker validator to import, so it validates on the main thread", async () => {
    const calls: unknown[] = [];
    await receive(sourceReceiver.startReceiver, "source-main-thread", {
      validate: (body) => {
        calls.push(body);
        return validateWebhookEvent(body);
      },
    });
    // Signed or not, every body with a usable envelope.
    expect(calls).toHaveLength(6);
  });

  it("completeParams fills in only a marked row's schema errors, from its body", () => {
    const body = BODIES["breaks its schema"]!;
    const marked = insertParams(storedRow("evt_schema", { body: Buffer.from(body) }));
    marked[SCHEMA_ERRORS_PARAM] = SCHEMA_ERRORS_FROM_BODY;
    expect(completeParams(marked)).toEqual(expectedIssues(body));
    expect(marked[SCHEMA_ERRORS_PARAM]).toBe(JSON.stringify(expectedIssues(body)));

    const unmarked = insertParams(storedRow("evt_schema", { body: Buffer.from(body) }));
    const before = [...unmarked];
    expect(completeParams(unmarked)).toBeUndefined();
    expect(unmarked).toEqual(before);
  });

  it("a body it cannot validate is recorded on its own row, never thrown into the batch", () => {
    const marked = insertParams(storedRow("evt_broken", { body: Buffer.from("{not json") }));
    marked[SCHEMA_ERRORS_PARAM] = SCHEMA_ERRORS_FROM_BODY;
    const issues = completeParams(marked);
    expect(issues).toEqual([{ path: "", message: expect.stringMatching(/^could not be validated: /) }]);
    expect(marked[SCHEMA_ERRORS_PARAM]).toBe(JSON.stringify(issues));
  });
});
