/** The events a sandbox connection sends: job events carry what Pinwheel's recorded ones do. */
import { describe, expect, it } from "vitest";
import { validateWebhookEvent } from "../../src/events/schemas.js";
import { generateAccount } from "../../src/sandbox/generate.js";
import { dataJobsOf, PLATFORMS } from "../../src/sandbox/platforms.js";
import { connectEvents } from "../../src/sandbox/sequence.js";

const NOW = Date.parse("2026-03-18T15:00:00Z");
const workday = PLATFORMS.find((platform) => platform.name === "Workday")!;

function eventsOf(outcomes: Parameters<typeof connectEvents>[1]["outcomes"] = {}) {
  const data = generateAccount({ seed: 9, now: NOW, platform: workday, jobs: dataJobsOf(workday), endUserId: "user_9" });
  return connectEvents(data, { now: NOW, platform: workday, outcomes });
}

describe("connectEvents", () => {
  it("sends every successful job event with error_code null, error_type null and params ({} when the job has none)", () => {
    const jobEvents = eventsOf().filter((envelope) => envelope.event !== "account.added");
    const names = new Set(jobEvents.map((envelope) => envelope.event));
    for (const name of ["identity.added", "income.added", "employment.added", "paystubs.added", "shifts.added", "paystubs.fully_synced", "shifts.fully_synced"]) {
      expect(names).toContain(name);
    }
    for (const { event, payload } of jobEvents) {
      expect(payload, event).toMatchObject({ outcome: "success", error_code: null, error_type: null });
      expect(typeof payload.params === "object" && payload.params !== null, `${event} params`).toBe(true);
    }
    for (const { event, payload } of jobEvents.filter((envelope) => /^(identity|income|employment)\.added$/.test(envelope.event))) {
      expect(payload.params, event).toEqual({});
    }
    for (const envelope of jobEvents) expect(validateWebhookEvent(envelope), envelope.event).toMatchObject({ ok: true });
  });

  it("sets error_code and error_type on an error, and null on a pending event", () => {
    const events = eventsOf({ income: "error", identity: "pending" });
    const income = events.filter((envelope) => envelope.event === "income.added");
    expect(income.map((envelope) => envelope.payload)).toEqual([
      expect.objectContaining({ outcome: "error", error_code: expect.any(String), error_type: expect.any(String), params: {} }),
    ]);
    const identity = events.filter((envelope) => envelope.event === "identity.added").map((envelope) => envelope.payload);
    expect(identity).toEqual([
      expect.objectContaining({ outcome: "pending", error_code: null, error_type: null, params: {} }),
      expect.objectContaining({ outcome: "success", error_code: null, error_type: null, params: {} }),
    ]);
    for (const envelope of events) expect(validateWebhookEvent(envelope), envelope.event).toMatchObject({ ok: true });
  });
});
