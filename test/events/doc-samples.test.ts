import { writeFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { isEventName } from "../../src/events/catalog.js";
import { validateWebhookEvent } from "../../src/events/schemas.js";
import { committedSamples, DOC_SAMPLES_FILE, findDocsDir, repairSample, samplesFromDocs, serializeSamples } from "../helpers/doc-samples.js";

const docsDir = findDocsDir();

describe("the docs' sample events", () => {
  // Refresh with UPDATE_DOC_SAMPLES=1 npx vitest run test/events/doc-samples.test.ts
  it.skipIf(docsDir === undefined)("test/events/doc-samples.txt holds every sample of ../shared/pinwheel/docs, verbatim", () => {
    const fromDocs = serializeSamples(samplesFromDocs(docsDir!));
    if (process.env.UPDATE_DOC_SAMPLES) writeFileSync(DOC_SAMPLES_FILE, fromDocs);
    expect(serializeSamples(committedSamples())).toBe(fromDocs);
  });

  const samples = committedSamples();

  it("are all there: 46 samples over the 19 documented events, 3 of them invalid JSON as FACTS.md notes", () => {
    expect(samples).toHaveLength(46);
    const invalid = samples.filter((sample) => {
      try {
        JSON.parse(sample.text);
        return false;
      } catch {
        return true;
      }
    });
    expect(invalid.map((sample) => sample.source.replace(/ #\d+/, ""))).toEqual(
      expect.arrayContaining(["002 paystubs.added", "002 shifts.added", "002 direct_deposit_switch.added"]),
    );
    const names = new Set(samples.map((sample) => JSON.parse(repairSample(sample.text)).event as string));
    expect(names.size).toBe(19);
  });

  it.each(samples.map((sample) => [sample.source, sample] as const))("%s: repaired, it is a known event with no schema issue", (_source, sample) => {
    const body = JSON.parse(repairSample(sample.text)) as { event: string };
    expect(isEventName(body.event)).toBe(true);
    expect(validateWebhookEvent(body)).toMatchObject({ ok: true });
  });
});
