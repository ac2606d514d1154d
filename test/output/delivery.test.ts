import { Chalk } from "chalk";
import { describe, expect, it } from "vitest";
import type { DeliveryReport, NumberedAttempt } from "../../src/delivery/deliver.js";
import { plainColors } from "../../src/output/colors.js";
import { formatDeliveryLine, formatForwardLine } from "../../src/output/delivery.js";

function attempt(fields: Partial<NumberedAttempt>): NumberedAttempt {
  return { url: "http://127.0.0.1:3000/", startedAt: "2025-12-01T14:40:00.000Z", durationMs: 12, statusCode: 200, attempt: 1, ok: true, ...fields };
}

function report(...attempts: NumberedAttempt[]): DeliveryReport {
  const final = attempts[attempts.length - 1]!;
  return { ok: final.ok, attempts, final };
}

describe("formatForwardLine", () => {
  it("gives the app's answer, where and how fast, under the request it forwarded", () => {
    expect(formatForwardLine(plainColors, 7, report(attempt({})))).toBe("            ↳ 200 from http://127.0.0.1:3000/ in 12 ms  #7");
  });

  it("counts the attempts when it took more than one", () => {
    const line = formatForwardLine(plainColors, 7, report(attempt({ statusCode: 500, ok: false }), attempt({ attempt: 2, durationMs: 1520 })));
    expect(line).toBe("            ↳ 200 from http://127.0.0.1:3000/ in 1.52 s after 2 attempts  #7");
  });

  it("gives the error, made printable, when no answer came", () => {
    const line = formatForwardLine(plainColors, 7, report(attempt({ statusCode: undefined, ok: false, error: "connect ECONNREFUSED\u001b[0m" })));
    expect(line).toBe("            ↳ connect ECONNREFUSED\\x1b[0m (http://127.0.0.1:3000/)  #7");
  });

  it("colours a failing answer red", () => {
    const line = formatForwardLine(new Chalk({ level: 1 }), 7, report(attempt({ statusCode: 500, ok: false })));
    expect(line).toBe("            ↳ \u001b[31m500\u001b[39m from http://127.0.0.1:3000/ in 12 ms  \u001b[2m#7\u001b[22m");
  });
});

describe("formatDeliveryLine", () => {
  it("names a replayed request whose body is not an event by its id, not as a custom body", () => {
    const line = formatDeliveryLine(plainColors, { event: null, eventId: null, attempt: attempt({}), requestId: 46 });
    expect(line).toBe("✔ 200  #46 (not an event)  → http://127.0.0.1:3000/  12 ms  ");
    // simulate --data: a body of one's own, no stored request.
    expect(formatDeliveryLine(plainColors, { event: null, eventId: null, attempt: attempt({}) })).toContain("  (custom body)  ");
  });
});
