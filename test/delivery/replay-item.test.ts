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

  it("as recorded: what the app should refuse, by the x-timestamp sent and the verdict on arrival", () => {
    const now = 1795428000 * 1000;
    const at = (timestamp: string, verification = "verified") =>
      replayItem({ ...request, verification, headers: [["x-timestamp", timestamp]] }, true, now).expectedRefusal;
    expect(at("1795428000")).toBeUndefined();
    expect(at(String(1795428000 - 299))).toBeUndefined();
    expect(at(String(1795428000 - 3600), "stale_timestamp")).toEqual({ kind: "stale", ageSeconds: 3600 });
    // In the future, or in milliseconds: listen judged it stale, and "0 s old" would call it fresh.
    expect(at(String(1795428000 + 1_000_000), "stale_timestamp")).toEqual({ kind: "untimely", timestamp: String(1795428000 + 1_000_000) });
    expect(at("1795428000000", "stale_timestamp")).toEqual({ kind: "untimely", timestamp: "1795428000000" });
    expect(at("1795428000", "bad_signature")).toEqual({ kind: "unverified", verification: "bad_signature" });
    expect(replayItem({ ...request, headers: [["x-timestamp", String(1795428000 + 1_000_000)]] }, true, now).recordedAgeSeconds).toBe(0);
  });
});
