import { describe, expect, it } from "vitest";
import { isRedactedUrl, redactUrl, redactUrlsIn } from "../src/redact-url.js";

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
