import { openStoreForReading } from "../cli/read-store.js";
import type { Db } from "../store/database.js";
import { findRequest } from "../store/missing-request.js";
import { requestStore, type StoredRequest } from "../store/requests.js";
import type { McpContext } from "./tool.js";

/** The event store opened for one tool call, as `events list` opens it, and closed after. */
export function withStore<T>(context: McpContext, use: (db: Db) => T): T {
  const { db } = openStoreForReading(context.db);
  try {
    return use(db);
  } finally {
    db.close();
  }
}

export function findStoredRequest(db: Db, reference: string | number): StoredRequest {
  return findRequest(requestStore(db), String(reference));
}

const strictUtf8 = new TextDecoder("utf-8", { fatal: true });

/** A body as text when it is valid UTF-8 (nearly always: JSON), else as base64 so no byte is lost or mangled. */
export function encodedBody(body: Buffer): { body: string; body_encoding: "utf8" | "base64" } {
  try {
    return { body: strictUtf8.decode(body), body_encoding: "utf8" };
  } catch {
    return { body: body.toString("base64"), body_encoding: "base64" };
  }
}
