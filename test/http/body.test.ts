/** The HTTP toolkit's body readers over real HTTP on 127.0.0.1: limits, JSON objects and the errors a page is answered with. */
import { createServer, type IncomingMessage, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { request } from "undici";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { readBody } from "../../src/http/body.js";
import { sendThrown } from "../../src/http/http-error.js";
import { sendJson } from "../../src/http/json-answer.js";
import { isJsonContentType, readJsonObject } from "../../src/http/json-body.js";

const LIMIT = 1024;
let server: Server;
let base: string;

/** /raw answers what readBody read; /object answers readJsonObject's object, or the error it threw. */
async function answer(incoming: IncomingMessage): Promise<unknown> {
  if (incoming.url === "/raw") {
    const read = await readBody(incoming, LIMIT);
    return read.tooLarge ? { tooLarge: true, size: read.size } : { tooLarge: false, text: read.bytes.toString("utf8") };
  }
  return readJsonObject(incoming, LIMIT);
}

beforeAll(async () => {
  server = createServer((incoming, response) => {
    answer(incoming).then((body) => sendJson(response, 200, body), (error: unknown) => sendThrown(response, error));
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  await new Promise<void>((resolve) => server.close(() => resolve()));
});

async function post(path: string, body: string, contentType = "application/json") {
  const response = await request(`${base}${path}`, { method: "POST", headers: { "content-type": contentType }, body });
  return { status: response.statusCode, type: response.headers["content-type"], json: (await response.body.json()) as Record<string, unknown> };
}

describe("readBody", () => {
  it("reads a body up to the limit whole, and reports a larger one by its size without keeping it", async () => {
    expect((await post("/raw", "a".repeat(LIMIT))).json).toEqual({ tooLarge: false, text: "a".repeat(LIMIT) });
    expect((await post("/raw", "a".repeat(LIMIT + 1))).json).toEqual({ tooLarge: true, size: LIMIT + 1 });
  });
});

describe("readJsonObject", () => {
  it("answers a JSON object, and an empty body as an empty one", async () => {
    expect(await post("/object", '{"target":"forward"}', "application/json; charset=utf-8")).toEqual({
      status: 200,
      type: "application/json; charset=utf-8",
      json: { target: "forward" },
    });
    expect((await post("/object", "")).json).toEqual({});
  });

  it.each([
    ["another content type", "target=forward", "application/x-www-form-urlencoded", 415, "unsupported_media_type"],
    ["a body over the limit", `{"a":"${"x".repeat(LIMIT)}"}`, "application/json", 413, "body_too_large"],
    ["text that is not JSON", "{target:", "application/json", 400, "invalid_json"],
    ["JSON that is not an object", "[1]", "application/json", 400, "invalid_body"],
  ])("refuses %s with a {error, message} the page can show", async (_, body, contentType, status, code) => {
    const answered = await post("/object", body, contentType);
    expect(answered.status).toBe(status);
    expect(answered.json).toMatchObject({ error: code, message: expect.any(String) });
  });
});

describe("isJsonContentType", () => {
  it("takes application/json with or without parameters, in any case, and nothing else", () => {
    expect(["application/json", "Application/JSON", "application/json;charset=utf-8", "application/json ; charset=utf-8"].map(isJsonContentType)).toEqual([true, true, true, true]);
    expect([undefined, "", "text/json", "application/jsonp", "application/json-seq", "text/plain; application/json"].map(isJsonContentType)).toEqual([false, false, false, false, false, false]);
  });
});
