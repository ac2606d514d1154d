import { buildEvent } from "../../src/events/build.js";
import type { Db } from "../../src/store/database.js";
import { requestStore, type NewRequest, type StoredRequest } from "../../src/store/requests.js";

/** A verified income.added as listen would have stored it, written straight into a store by tests. */
export function storedRow(eventId: string, fields: Partial<NewRequest> = {}): NewRequest {
  const body = Buffer.from(JSON.stringify({ ...buildEvent("income.added"), event_id: eventId }));
  return {
    receivedAt: new Date().toISOString(),
    method: "POST",
    path: "/",
    headers: [["content-type", "application/json"]],
    body,
    bodySize: body.length,
    bodyTruncated: false,
    event: "income.added",
    eventId,
    accountId: null,
    webhookId: null,
    verification: "verified",
    verificationDetail: null,
    schemaErrors: null,
    rejection: null,
    statusCode: 200,
    remoteAddress: "127.0.0.1",
    ...fields,
  };
}

/** The newest stored request, whole: list() leaves out headers and body. */
export function newestStored(db: Db): StoredRequest {
  const store = requestStore(db);
  const newest = store.list({ limit: 1 })[0];
  if (!newest) throw new Error("the store holds no request");
  return store.find(String(newest.id))!;
}
