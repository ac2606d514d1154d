import { describe, expect, it } from "vitest";
import { redactor } from "../../src/mcp/server.js";
import { sendTarget } from "../../src/mcp/targets.js";

describe("sendTarget", () => {
  it("accepts this machine by name or address, and normalises the URL", () => {
    for (const url of ["http://127.0.0.1:3000/hook", "http://localhost:8080", "https://[::1]:9/x", "http://127.1.2.3/"]) {
      expect(sendTarget({ allowRemote: false }, url)).toBe(new URL(url).toString());
    }
  });

  it("refuses any other host unless the server was started with --allow-remote", () => {
    for (const url of ["http://192.0.2.1/", "https://example.com/webhooks", "http://localhost.example.com/", "http://0.0.0.0:3000/", "http://10.0.0.1/"]) {
      expect(() => sendTarget({ allowRemote: false }, url), url).toThrow(/is not this machine.*--allow-remote/);
      expect(sendTarget({ allowRemote: true }, url)).toBe(new URL(url).toString());
    }
  });

  it("refuses what is not an http(s) URL, naming the field", () => {
    expect(() => sendTarget({ allowRemote: true }, "localhost:3000")).toThrow(/must start with http/);
    expect(() => sendTarget({ allowRemote: true }, "not a url", "to")).toThrow(/^to: "not a url" is not a URL/);
    expect(() => sendTarget({ allowRemote: true }, "file:///etc/passwd")).toThrow(/must start with http/);
  });

  it("never repeats a password from a value that does not parse", () => {
    for (const value of ["http:///user:hunter2@127.0.0.1:99999/x", "http://user:hun/ter2@127.0.0.1/x", "http:user:hunter2@127.0.0.1:99999/x", "ftp://user:hunter2@127.0.0.1/"]) {
      let message = "";
      try {
        sendTarget({ allowRemote: true }, value);
      } catch (error) {
        message = (error as Error).message;
      }
      expect(message, value).toMatch(/^to: "(?:http|ftp):[/]*\*\*\*@127\.0\.0\.1/);
      expect(message).not.toContain("hun");
    }
  });
});

describe("redactor", () => {
  it("replaces the secret in every string, nested or as a key", () => {
    const redact = redactor("s3cret-value");
    expect(redact({ a: "x s3cret-value y", b: [{ "s3cret-value": 1 }], n: 2, z: null })).toEqual({ a: "x [secret] y", b: [{ "[secret]": 1 }], n: 2, z: null });
    expect(redact("s3cret-values3cret-value")).toBe("[secret][secret]");
  });

  it("finds the secret behind percent and JSON escapes, and in a base64 body, and leaves other text as it is", () => {
    const redact = redactor("SUPERSECRET-abc123");
    expect(redact({ path: "/c?k=SUPERSECRET%2Dabc123&x=%20" })).toEqual({ path: "/c?k=[secret]&x= " });
    expect(redact({ body: '{"k":"SUPER\\u0053ECRET-abc123"}', body_encoding: "utf8" })).toEqual({ body: '{"k":"[secret]"}', body_encoding: "utf8" });
    const raw = Buffer.concat([Buffer.from([0xff]), Buffer.from('{"note":"SUPERSECRET-abc123"}')]);
    const shown = redact({ body: raw.toString("base64"), body_encoding: "base64" });
    expect(Buffer.from(shown.body, "base64").toString("latin1")).toBe('\u00ff{"note":"[secret]"}');
    expect(redact({ path: "/a%20b", body: "a\\u0041", other: Buffer.from("x").toString("base64") })).toEqual({ path: "/a%20b", body: "a\\u0041", other: "eA==" });
  });

  it("leaves text alone for a secret too short to find safely", () => {
    expect(redactor("abc")("abc abc")).toBe("abc abc");
  });
});
