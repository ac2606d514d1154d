import { describe, expect, it } from "vitest";
import { printable, printableBlock } from "../../src/output/printable.js";

describe("printable", () => {
  it("shows control characters instead of letting them act on the terminal", () => {
    expect(printable("a\u001b[2Jb")).toBe("a\\x1b[2Jb");
    expect(printable("x\r\n17:00:00  200  fake")).toBe("x\\x0d\\x0a17:00:00  200  fake");
    expect(printable("title\u001b]0;pwned\u0007")).toBe("title\\x1b]0;pwned\\x07");
    expect(printable("csi\u009b31m")).toBe("csi\\x9b31m");
    expect(printable("tab\there")).toBe("tab\\x09here");
    expect(printable("rtl\u202egnp.exe")).toBe("rtl\\u202egnp.exe");
  });

  it("leaves ordinary text, accents and emoji alone", () => {
    for (const text of ["paystubs.added", "Zoë ☕ 日本", "émoji 🎉", "a b/c?d=1"]) expect(printable(text)).toBe(text);
  });

  it("keeps line breaks and tabs in a block", () => {
    expect(printableBlock("{\n\t\"a\": 1\u001b[0m\n}")).toBe("{\n\t\"a\": 1\\x1b[0m\n}");
  });
});
