import { describe, expect, it } from "vitest";
import { isRedactedUrl, redactTypedUrl, redactUrl, redactUrlsIn } from "../src/redact-url.js";

describe("redactUrl", () => {
  it("hides the user name and password whatever the password holds", () => {
    for (const password of ["secret", "PW'LEAK4", 'p"w', "p w", "p<w>", "a@b", "p\\\\w"]) {
      const url = `http://user:${password}@127.0.0.1:8081/a?b=c#d`;
      expect(redactUrl(url), url).toBe("http://***@127.0.0.1:8081/a?b=c#d");
    }
    expect(redactUrl("https://token@example.com")).toBe("https://***@example.com");
  });

  it("leaves a URL without credentials alone, and an @ after the authority", () => {
    for (const url of ["http://127.0.0.1:8080/webhooks", "http://example.com/users/@me?x=a@b", "http://example.com#a@b"]) expect(redactUrl(url)).toBe(url);
  });

  it("says when a URL was redacted", () => {
    expect(isRedactedUrl(redactUrl("http://u:p@h/"))).toBe(true);
    expect(isRedactedUrl("http://h/")).toBe(false);
  });
});

// What a URL parser may read as userinfo although the authority seems to end before the "@".
const TYPED_LEAKS: [string, string][] = [
  ["http:///user:hunter2@127.0.0.1:99999/x", "http:///***@127.0.0.1:99999/x"],
  ["http://user:hun/ter2@host/x", "http://***@host/x"],
  ["http://user:hun?ter2@host/x", "http://***@host/x"],
  ["http://user:hun#ter2@host/x", "http://***@host/x"],
  ["http:\\\\user:hunter2@host:99999/x", "http:\\\\***@host:99999/x"],
  ["http:user:hunter2@127.0.0.1:99999/x", "http:***@127.0.0.1:99999/x"],
  ["HTTPS://user:hunter2@host:99999", "HTTPS://***@host:99999"],
  ["user:hunter2@host:99999/x", "***@host:99999/x"],
  ["ftp://user:hunter2@host/x", "ftp://***@host/x"],
];

describe("redactTypedUrl", () => {
  it("hides everything before the last @ whatever the value, keeping the scheme", () => {
    for (const [typed, shown] of TYPED_LEAKS) {
      expect(redactTypedUrl(typed), typed).toBe(shown);
      expect(redactTypedUrl(typed)).not.toContain("hunter2");
      expect(redactTypedUrl(typed)).not.toContain("hun");
    }
    expect(redactTypedUrl("http://127.0.0.1:99999/x")).toBe("http://127.0.0.1:99999/x");
  });

  it("hides the same in a URL that does not parse given to redactUrl, and in a line of text", () => {
    for (const [typed, shown] of TYPED_LEAKS) expect(redactUrl(typed), typed).toBe(shown);
    expect(redactUrlsIn("cannot reach http:///user:hunter2@h/ now")).toBe("cannot reach http:///***@h/ now");
    expect(redactUrlsIn("cannot reach http:user:hunter2@h/ now")).toBe("cannot reach http:***@h/ now");
  });
});

describe("redactUrlsIn", () => {
  it("hides credentials in a line of text, a quoted URL, and JSON whose password has an escaped quote or an apostrophe", () => {
    expect(redactUrlsIn("forwarding to http://user:PW'LEAK4@127.0.0.1:18081/ap now")).toBe("forwarding to http://***@127.0.0.1:18081/ap now");
    expect(redactUrlsIn(`cannot reach "http://u:p@h/": refused`)).toBe(`cannot reach "http://***@h/": refused`);
    expect(redactUrlsIn(JSON.stringify({ url: 'http://u:p"w\'x@h/', other: "a@b" }))).toBe('{"url":"http://***@h/","other":"a@b"}');
  });

  it("does not reach past the end of a URL in JSON to another field's @", () => {
    const text = JSON.stringify({ url: "http://example.com", owner: "dev@example.com" });
    expect(redactUrlsIn(text)).toBe(text);
  });
});
