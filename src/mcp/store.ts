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

/** The most of a body a tool result carries (a stored body can be 1 MiB, a built one more): what a model reads at once. */
export const RESULT_BODY_BYTES = 64 * 1024;

/** How a body was cut for a result: its size, the bytes shown, and where the whole is. */
export interface BodyCut {
  size: number;
  shown: number;
  whole: string;
}

/** The command that prints a stored request whole, with the server's --db when it was given one. */
export function wholeRequestCommand(context: Pick<McpContext, "db">, reference: string | number): string {
  const db = context.db === undefined ? "" : ` --db ${/^[\w@%+=:,./-]+$/.test(context.db) ? context.db : `'${context.db.replace(/'/g, "'\\''")}'`}`;
  return `pinwheel-cli events show ${reference} --json${db}`;
}

/**
 * A stored body for a result: whole up to RESULT_BODY_BYTES, else its first RESULT_BODY_BYTES
 * (cut before a UTF-8 character that would be split) with body_cut saying so.
 */
export function shownBody(body: Buffer, whole: () => string): { body: string; body_encoding: "utf8" | "base64"; body_cut: BodyCut | null } {
  if (body.length <= RESULT_BODY_BYTES) return { ...encodedBody(body), body_cut: null };
  let end = RESULT_BODY_BYTES;
  // Back off to the start of a character: continuation bytes are 10xxxxxx.
  for (let back = 0; back < 3 && ((body[end] ?? 0) & 0xc0) === 0x80; back++) end--;
  const shown = body.subarray(0, end);
  return { ...encodedBody(shown), body_cut: { size: body.length, shown: shown.length, whole: whole() } };
}
