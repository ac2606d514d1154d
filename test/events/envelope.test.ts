import { describe, expect, it } from "vitest";
import { envelopeProblem } from "../../src/events/envelope.js";

describe("envelopeProblem", () => {
  it("takes an envelope whose event and event_id are non-empty strings and whose payload is an object", () => {
    expect(envelopeProblem({ event: "income.added", event_id: "e", payload: {} })).toBeNull();
  });

  it("names what the envelope lacks", () => {
    expect(envelopeProblem({ event: "income.added" })).toBe("the envelope lacks event_id (non-empty string), payload (object)");
    expect(envelopeProblem([])).toBe("the body is not a JSON object {event, event_id, payload}");
  });

  it("names a field that is there in the wrong shape as what it is, not as missing", () => {
    expect(envelopeProblem({ event: "income.added", event_id: 123, payload: {} })).toBe("the envelope's event_id is a number, not a non-empty string");
    expect(envelopeProblem({ event: "", event_id: "e", payload: [] })).toBe(
      "the envelope's event is an empty string, not a non-empty string; its payload is an array, not an object",
    );
    expect(envelopeProblem({ event: "income.added", event_id: null })).toBe("the envelope lacks payload (object); its event_id is null, not a non-empty string");
  });
});
