import { InvalidArgumentError } from "../../src/cli/argument-error.js";
import { describe, expect, it } from "vitest";
import { duplicateCount, httpUrl, since } from "../../src/cli/options.js";

describe("since", () => {
  it("reads a duration as that long ago", () => {
    const before = Date.now();
    const parsed = Date.parse(since("15m"));
    expect(parsed).toBeGreaterThanOrEqual(before - 15 * 60_000 - 5);
    expect(parsed).toBeLessThanOrEqual(Date.now() - 15 * 60_000);
  });

  it("reads ISO dates and date-times, with or without a zone", () => {
    expect(since("2026-11-23")).toBe("2026-11-23T00:00:00.000Z");
    expect(since("2024-02-29")).toBe("2024-02-29T00:00:00.000Z");
    expect(since("2026-11-23T10:00:00Z")).toBe("2026-11-23T10:00:00.000Z");
    expect(since("2026-11-23T10:00:00+02:00")).toBe("2026-11-23T08:00:00.000Z");
    expect(since("2026-11-23T10:00:00.123Z")).toBe("2026-11-23T10:00:00.123Z");
  });

  it("reads a date-time without a zone as UTC, as the tables print times, whatever the machine's zone", () => {
    const zone = process.env.TZ;
    // Node reads TZ again when it changes: Date's own parser would read these in New York time.
    process.env.TZ = "America/New_York";
    try {
      expect(since("2026-12-03 13:38:34")).toBe("2026-12-03T13:38:34.000Z");
      expect(since("2026-12-03T13:38")).toBe("2026-12-03T13:38:00.000Z");
      expect(since("2026-12-03T13:38:34.5")).toBe("2026-12-03T13:38:34.500Z");
      expect(since("2026-12-03")).toBe("2026-12-03T00:00:00.000Z");
      expect(since("2026-12-03T13:38:34-05:00")).toBe("2026-12-03T18:38:34.000Z");
    } finally {
      if (zone === undefined) delete process.env.TZ;
      else process.env.TZ = zone;
    }
  });

  it("refuses a bare number, which Date would read as a year, and suggests the units", () => {
    expect(() => since("5")).toThrow(InvalidArgumentError);
    expect(() => since("5")).toThrow(/"5" has no unit; use a duration such as 5m, 5h or 5d/);
    expect(() => since("1795452503")).toThrow(/has no unit/);
  });

  it("refuses a duration further back than any date as a usage mistake, not a crash", () => {
    expect(() => since("10000000000d")).toThrow(InvalidArgumentError);
    expect(() => since("10000000000d")).toThrow(/reaches further back than any date/);
  });

  it("refuses dates that do not exist instead of rolling them over", () => {
    for (const value of ["2026-02-30", "2025-02-29", "2026-13-01", "2026-04-31", "2026-00-10"]) {
      expect(() => since(value), value).toThrow(/is neither a duration .* nor an ISO date/);
    }
  });

  it("refuses what Date's lenient parser would guess at", () => {
    for (const value of ["yesterday", "Nov 23", "23/11/2026", "2026-11-23 junk", ""]) {
      expect(() => since(value), value).toThrow(InvalidArgumentError);
    }
  });
});

describe("duplicateCount", () => {
  it("takes a count from 1 to 1000", () => {
    expect(duplicateCount("3")).toBe(3);
  });

  it("refuses a number out of range without suggesting it is an event", () => {
    for (const value of ["0", "1001", "-1", "2.5"]) {
      expect(() => duplicateCount(value)).toThrow(new InvalidArgumentError("expected a count from 1 to 1000."));
    }
  });

  it("takes a word for the event it swallowed, and says where the event goes", () => {
    expect(() => duplicateCount("income.added")).toThrow(/^expected a count from 1 to 1000; to send one duplicate, name the event first: simulate income\.added --duplicate$/);
  });
});

describe("httpUrl", () => {
  it("takes a URL on this machine typed without its scheme as http://, as the Stripe CLI does", () => {
    expect(httpUrl("localhost:8080/webhooks/pinwheel")).toBe("http://localhost:8080/webhooks/pinwheel");
    expect(httpUrl("127.0.0.1:3000")).toBe("http://127.0.0.1:3000/");
    expect(httpUrl("localhost/hook")).toBe("http://localhost/hook");
    expect(httpUrl("[::1]:3000/x")).toBe("http://[::1]:3000/x");
    expect(httpUrl("app.localhost:9000/x")).toBe("http://app.localhost:9000/x");
    expect(httpUrl("https://example.com/h")).toBe("https://example.com/h");
  });

  it("does not guess the scheme off this machine, and says which one is likely", () => {
    expect(() => httpUrl("example.com/hook")).toThrow(/^"example.com\/hook" has no usable scheme; did you mean https:\/\/example.com\/hook\?/);
    expect(() => httpUrl("example.com:8443/h")).toThrow(/did you mean https:\/\/example.com:8443\/h\?/);
  });

  it("suggests what a mistyped scheme or a bare port meant, and nothing where nothing is likely", () => {
    expect(() => httpUrl("http//localhost:47073/hook")).toThrow(/did you mean http:\/\/localhost:47073\/hook\?/);
    expect(() => httpUrl("HTTPS:/example.com")).not.toThrow();
    expect(() => httpUrl("https//example.com/h")).toThrow(/did you mean https:\/\/example.com\/h\?/);
    expect(() => httpUrl("47073")).toThrow(/^"47073" has no usable scheme; did you mean localhost:47073\?/);
    expect(() => httpUrl(":47073/hook")).toThrow(/did you mean localhost:47073\/hook\?/);
    expect(() => httpUrl("httpbin.org/post")).toThrow(/did you mean https:\/\/httpbin.org\/post\?/);
  });

  it("keeps a password out of the message", () => {
    expect(() => httpUrl("me@example.com/x")).toThrow(/^"\*\*\*@example.com\/x" has no usable scheme; did you mean https:\/\/\*\*\*@example.com\/x\?/);
  });

  it("still refuses what is no http(s) URL", () => {
    expect(() => httpUrl("not a url")).toThrow(/"not a url" is not a URL/);
    expect(() => httpUrl("/webhooks")).toThrow(/is not a URL/);
    expect(() => httpUrl("ftp://example.com/")).toThrow(/must start with http:\/\/ or https:\/\//);
    expect(() => httpUrl("mailto:someone")).toThrow(/must start with http:\/\/ or https:\/\//);
  });
});
