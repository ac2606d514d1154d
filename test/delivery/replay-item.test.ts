import { describe, expect, it } from "vitest";
import { replayItem } from "../../src/delivery/replay-item.js";
import type { ReplayableRequest } from "../../src/store/requests.js";

const request: ReplayableRequest = {
  id: 4,
  event: "income.added",
  eventId: "evt-4",
  body: Buffer.from("{}"),
  verification: "verified",
  rejection: null,
  webhookId: "w-column",
  headers: [
    ["X-Pinwheel-Webhook-Id", "w-header"],
    ["x-timestamp", "1795428000"],
  ],
};

describe("a stored request as replay sends it", () => {
  it("re-signed: the body and ids, and the webhook id as it arrived, from the header when the headers were read", () => {
    expect(replayItem(request, false)).toEqual({ event: "income.added", eventId: "evt-4", body: request.body, requestId: 4, webhookId: "w-header", recordedHeaders: undefined, recordedVerification: undefined, recordedRejection: undefined });
    expect(replayItem({ ...request, headers: undefined }, false).webhookId).toBe("w-column");
    expect(replayItem({ ...request, headers: undefined, webhookId: null }, false).webhookId).toBeUndefined();
  });

  it("one listen refused after verifying it carries listen's reason, for the failure hint", () => {
    expect(replayItem({ ...request, rejection: "the body is not JSON" }, false).recordedRejection).toBe("the body is not JSON");
    expect(replayItem({ ...request, verification: "bad_signature", rejection: "the body is not JSON" }, false).recordedRejection).toBeUndefined();
  });

  it("as recorded: the stored headers, old timestamp included", () => {
    expect(replayItem(request, true).recordedHeaders).toEqual({ "x-pinwheel-webhook-id": "w-header", "x-timestamp": "1795428000" });
  });
});
