import { describe, expect, it } from "vitest";
import { printable, printableBlock, terminalSafeJson } from "../../src/output/printable.js";
import { renderJUnit } from "../../src/output/junit.js";
import { findAll, parseWellFormedXml } from "../helpers/xml-well-formed.js";

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

describe("terminalSafeJson", () => {
  it("writes C1 controls, bidirectional overrides and line separators as \\u escapes: the same JSON, nothing a terminal acts on", () => {
    const value = { path: "/a\u009b31m\u202egnp.exe\u2028x", plain: "Zoë ☕" };
    const json = terminalSafeJson(JSON.stringify(value));
    expect(json).toBe('{"path":"/a\\u009b31m\\u202egnp.exe\\u2028x","plain":"Zoë ☕"}');
    expect(JSON.parse(json)).toEqual(value);
  });
});


describe("renderJUnit", () => {
  it("writes C1 controls and bidirectional overrides from an app's answer as character references", () => {
    const xml = renderJUnit("s", [{ name: "n", classname: "c", seconds: 0, failure: { message: "m\u009b31m", details: "a\u202eb\u0007" } }], "2026-12-01T00:00:00Z");
    expect(xml).toContain('<failure message="m&#x9b;31m">a&#x202e;b</failure>');
    expect([...xml].some((character) => /[\u0080-\u009f\u202e]/.test(character) || character === "\u0007")).toBe(false);
  });

  it("stays well-formed when an app's answer holds characters XML 1.0 has not (U+FFFE, U+FFFF, half a surrogate pair)", () => {
    const details = "answer: 400: bad \ufffe \uffff \ud800 x \udc00 \u{1f600} \ufffd";
    const xml = renderJUnit("s", [{ name: "n", classname: "c", seconds: 0, failure: { message: "m\uffff", details } }], "2026-12-01T00:00:00Z");
    const [failure] = findAll(parseWellFormedXml(xml), "failure");
    expect(failure!.attributes.message).toBe("m\ufffd");
    expect(failure!.text).toBe("answer: 400: bad \ufffd \ufffd \ufffd x \ufffd \u{1f600} \ufffd");
  });
});
