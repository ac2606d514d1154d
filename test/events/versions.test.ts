import { describe, expect, it } from "vitest";
import { buildEvent } from "../../src/events/build.js";
import { EVENT_NAMES } from "../../src/events/catalog.js";
import { validateWebhookEvent } from "../../src/events/schemas.js";
import { applyApiVersion, changesFor, isApiVersionDate, versionedBody } from "../../src/events/versions.js";

describe("payloads by API version", () => {
  it("today's form at 2023-07-18 and later: no documented difference for any event", () => {
    for (const version of ["2023-07-18", "2023-11-22", "2025-07-08"]) {
      for (const name of EVENT_NAMES) expect(changesFor(buildEvent(name), version), `${name} at ${version}`).toEqual([]);
    }
  });

  it("before 2023-07-18 events carry no end_user_id (Link tokens needed one only from then), unless one was chosen", () => {
    const income = buildEvent("income.added");
    expect(applyApiVersion(income, "2023-04-18").map((change) => change.since)).toEqual(["2023-07-18"]);
    expect(income.payload).not.toHaveProperty("end_user_id");
    expect(validateWebhookEvent(income)).toMatchObject({ ok: true });

    const chosen = buildEvent("income.added", { endUserId: "user_42", apiVersion: "2022-09-09" });
    expect(chosen.payload.end_user_id).toBe("user_42");
  });

  it("before 2022-08-01 direct_deposit_switch.added has the legacy params.amount, as docs/002's legacy sample", () => {
    const legacy = buildEvent("direct_deposit_switch.added", { apiVersion: "2022-07-01" });
    expect(legacy.payload.params).toEqual({ amount: 5400 });
    expect(legacy.payload).not.toHaveProperty("end_user_id");
    expect(validateWebhookEvent(legacy)).toMatchObject({ ok: true });

    const percentage = buildEvent("direct_deposit_switch.added", { set: [{ path: "payload.params.allocation", value: { type: "percentage", value: 33 } }] });
    applyApiVersion(percentage, "2022-07-01");
    expect(percentage.payload.params).toEqual({});

    const september = buildEvent("direct_deposit_switch.added", { apiVersion: "2022-09-09" });
    expect(september.payload.params).toMatchObject({ action: "partial_switch", allocation: { type: "amount", value: 5400 } });
  });

  it("versionedBody rewrites a serialized envelope only where the version changes it", () => {
    const body = Buffer.from(JSON.stringify(buildEvent("account.added")));
    expect(versionedBody(body, "2025-07-08")).toBe(body);
    expect(JSON.parse(versionedBody(body, "2022-09-09").toString("utf8")).payload).not.toHaveProperty("end_user_id");
    const notJson = Buffer.from("not json");
    expect(versionedBody(notJson, "2022-09-09")).toBe(notJson);
  });

  it("a version is a real date, YYYY-MM-DD", () => {
    expect(isApiVersionDate("2023-04-18")).toBe(true);
    for (const bad of ["2023-02-30", "2023-4-18", "20230418", "latest", ""]) expect(isApiVersionDate(bad), bad).toBe(false);
  });
});
