/**
 * Issue 12's promise, checked the same way through the library and a running `listen` (the BUILT
 * binary): a genuine, signed Pinwheel envelope is never answered 4xx, whatever its payload or
 * event name; what is not a genuine delivery is refused with the documented status.
 */
import { request } from "undici";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { safeParseWebhookEvent, parseWebhookEvent, PinwheelWebhookError, signWebhook } from "../../src/index.js";
import { committedSamples, repairSample } from "../helpers/doc-samples.js";
import { startListen, tempHome, type Listener, type TempHome } from "../helpers/cli.js";

const SECRET = "sk_genuine_deliveries_41c2";

interface Delivery {
  name: string;
  body: string;
  headers: Record<string, string>;
}

function signed(name: string, body: string, options: { secret?: string; timestamp?: number } = {}): Delivery {
  const timestamp = String(options.timestamp ?? Math.floor(Date.now() / 1000));
  return {
    name,
    body,
    headers: {
      "content-type": "application/json",
      "x-timestamp": timestamp,
      "x-pinwheel-signature": signWebhook(options.secret ?? SECRET, timestamp, body),
      "x-pinwheel-webhook-id": "61788409-8314-4e89-9300-ae7b9d3ccff5",
    },
  };
}

const samples = committedSamples().map((sample) => signed(`docs ${sample.source}`, repairSample(sample.text)));
const income = JSON.parse(repairSample(committedSamples().find((sample) => sample.source.endsWith("income.added"))!.text)) as {
  payload: Record<string, unknown>;
};

/** Genuine and signed, but not what the schemas expect: accepted, with issues. */
const acceptedWithIssues: Delivery[] = [
  signed("an unknown event", JSON.stringify({ event: "loans.originated", event_id: "evt_1", payload: { loan_id: 7 } })),
  signed("a payload that breaks its schema", JSON.stringify({ event: "income.added", event_id: "evt_2", payload: { ...income.payload, outcome: "partial" } })),
  signed("a job event missing its timestamp", JSON.stringify({ event: "income.added", event_id: "evt_3", payload: { ...income.payload, timestamp: undefined } })),
];

const genuineBody = samples[0]!.body;
const tampered = signed("tampered", genuineBody);
tampered.body = genuineBody.replace("my_user_12345", "my_user_99999");

/** What is not a genuine Pinwheel delivery, with the status both must answer. */
const refused: { delivery: Delivery; status: number; reason: string }[] = [
  { delivery: signed("forged (another secret)", genuineBody, { secret: "sk_attacker" }), status: 401, reason: "bad_signature" },
  { delivery: tampered, status: 401, reason: "bad_signature" },
  { delivery: signed("stale (an hour old)", genuineBody, { timestamp: Math.floor(Date.now() / 1000) - 3_600 }), status: 401, reason: "stale_timestamp" },
  { delivery: signed("not JSON", "event=income.added"), status: 400, reason: "invalid_json" },
  { delivery: signed("not an envelope (no event_id)", JSON.stringify({ event: "income.added", payload: income.payload })), status: 400, reason: "invalid_envelope" },
  { delivery: signed("not an envelope (an array)", "[]"), status: 400, reason: "invalid_envelope" },
];

function parse(delivery: Delivery) {
  return safeParseWebhookEvent({ secret: SECRET, headers: delivery.headers, rawBody: Buffer.from(delivery.body) });
}

describe("the library", () => {
  it.each(samples.map((d) => [d.name, d] as const))("accepts %s with no issue", (_name, delivery) => {
    expect(parse(delivery)).toMatchObject({ ok: true, event: { known: true, issues: [] } });
    expect(parseWebhookEvent({ secret: SECRET, headers: delivery.headers, rawBody: delivery.body, strict: true }).issues).toEqual([]);
  });

  it.each(acceptedWithIssues.map((d) => [d.name, d] as const))("accepts %s, listing its issues", (_name, delivery) => {
    const result = parse(delivery);
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    expect(result.event.issues.length).toBeGreaterThan(0);
    expect(parseWebhookEvent({ secret: SECRET, headers: delivery.headers, rawBody: delivery.body }).issues).toEqual(result.event.issues);
  });

  it.each(refused.map((r) => [r.delivery.name, r] as const))("refuses %s", (_name, { delivery, status, reason }) => {
    const result = parse(delivery);
    expect(result).toMatchObject({ ok: false, error: { status, reason } });
    expect(() => parseWebhookEvent({ secret: SECRET, headers: delivery.headers, rawBody: delivery.body })).toThrow(PinwheelWebhookError);
  });
});

describe("a running listen answers the same", () => {
  let home: TempHome;
  let listener: Listener;

  beforeAll(async () => {
    home = tempHome();
    listener = await startListen(["--secret", SECRET], home.env);
  });

  afterAll(async () => {
    await listener?.stop();
    home?.cleanup();
  });

  async function post(delivery: Delivery): Promise<{ status: number; line: Record<string, unknown> }> {
    const eventId = (() => {
      try {
        return (JSON.parse(delivery.body) as { event_id?: unknown }).event_id;
      } catch {
        return undefined;
      }
    })();
    const before = listener.lines().length;
    const response = await request(listener.url, { method: "POST", headers: delivery.headers, body: delivery.body });
    await response.body.dump();
    // listen answers only after the row is committed, and prints its line as it answers.
    const line = (await listener.waitFor((l) => listener.lines().indexOf(l) >= before && (l as { type?: string }).type === "request")) as Record<string, unknown>;
    if (typeof eventId === "string" && line.event_id !== eventId) throw new Error(`out of order: ${JSON.stringify(line)}`);
    return { status: response.statusCode, line };
  }

  it("answers 200 to every docs sample and to every genuine delivery the schemas disagree with, recording the same issues as the library", async () => {
    for (const delivery of samples) {
      const { status, line } = await post(delivery);
      expect(status, delivery.name).toBe(200);
      expect(line, delivery.name).toMatchObject({ verified: true, schema_errors: null });
    }
    for (const delivery of acceptedWithIssues) {
      const { status, line } = await post(delivery);
      expect(status, delivery.name).toBe(200);
      const library = parse(delivery);
      expect(library.ok && line.schema_errors, delivery.name).toEqual(library.ok ? library.event.issues : null);
    }
  });

  it("refuses what is not a genuine delivery with the library's status and reason", async () => {
    for (const { delivery, status, reason } of refused) {
      const answer = await post(delivery);
      expect(answer.status, delivery.name).toBe(status);
      if (status === 401) expect(answer.line.verification, delivery.name).toBe(reason);
      else expect(answer.line, delivery.name).toMatchObject({ verified: true, rejection: expect.any(String) });
    }
  });
});
