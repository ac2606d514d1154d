import { randomUUID } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { openDatabase, type Db } from "../../src/store/database.js";
import { requestStore } from "../../src/store/requests.js";
import { storedRow } from "../helpers/stored-requests.js";

let dir: string | undefined;
let db: Db | undefined;
afterEach(() => {
  db?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
  db = undefined;
  dir = undefined;
});

function store() {
  dir = mkdtempSync(join(tmpdir(), "pinwheel-requests-"));
  db = openDatabase(join(dir, "events.db"));
  return requestStore(db);
}

describe("duplicates", () => {
  it("an event_id is a duplicate only once a request carrying it was verified and answered 2xx", () => {
    const requests = store();
    const eventId = randomUUID();
    const forged = requests.insert(storedRow(eventId, { verification: "bad_signature", statusCode: 401 }));
    const first = requests.insert(storedRow(eventId));
    const again = requests.insert(storedRow(eventId));
    expect([forged.duplicate, first.duplicate, again.duplicate]).toEqual([false, false, true]);
  });

  it("a verified request whose answer became the app's 500 (listen --forward-status) was not accepted: its retry is no duplicate", () => {
    const requests = store();
    const eventId = randomUUID();
    const first = requests.insert(storedRow(eventId));
    requests.setStatusCode(first.id, 500);
    const retry = requests.insert(storedRow(eventId));
    const retryAgain = requests.insert(storedRow(eventId));
    expect([retry.duplicate, retryAgain.duplicate]).toEqual([false, true]);
  });
});
