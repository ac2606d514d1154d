/** --state-url readings from a real HTTP endpoint: what counts as a count or a list, and what is refused. */
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ConformanceError } from "../../src/conformance/index.js";
import { MAX_STATE_BYTES, readAfterSettling, stateReader } from "../../src/conformance/state.js";

let server: Server;
let base = "";
let processed: unknown[] = [];

beforeAll(async () => {
  const answers: Record<string, () => [number, string]> = {
    "/count": () => [200, JSON.stringify(processed.length)],
    "/list": () => [200, JSON.stringify(processed)],
    "/wrapped": () => [200, JSON.stringify({ count: processed.length })],
    "/object": () => [200, JSON.stringify({ count: 1, other: 2 })],
    "/text": () => [200, "three"],
    "/carriage-return": () => [200, '{"a":1,\r"b":2}'],
    "/missing": () => [404, "{}"],
  };
  server = createServer((request, response) => {
    if (request.url === "/slow") return; // never answers
    if (request.url === "/huge") {
      // 9 MiB of spaces, then a count: valid JSON past the bound.
      response.writeHead(200, { "content-type": "application/json" });
      const chunk = Buffer.alloc(1024 * 1024, 0x20);
      let sent = 0;
      const more = () => {
        while (sent < 9 && !response.destroyed) {
          sent++;
          if (!response.write(chunk)) return void response.once("drain", more);
        }
        if (!response.destroyed) response.end("3");
      };
      response.on("error", () => {});
      return more();
    }
    const [status, body] = (answers[request.url ?? ""] ?? answers["/missing"]!)();
    response.writeHead(status, { "content-type": "application/json" }).end(body);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => {
  server.closeAllConnections();
  return new Promise<void>((resolve) => server.close(() => resolve()));
});

describe("stateReader", () => {
  it("reads a bare count, a list, or the one field of an object", async () => {
    processed = ["a", "b"];
    await expect(stateReader(`${base}/count`, 2000)()).resolves.toEqual({ value: "2", text: "2" });
    await expect(stateReader(`${base}/list`, 2000)()).resolves.toEqual({ value: '["a","b"]', text: "a list of 2" });
    await expect(stateReader(`${base}/wrapped`, 2000)()).resolves.toEqual({ value: "2", text: "count 2" });
  });

  it("reads from http://app.localhost at this machine's 127.0.0.1, without asking the resolver for the name", async () => {
    processed = ["a"];
    await expect(stateReader(`${base.replace("127.0.0.1", "app.localhost")}/count`, 2000)()).resolves.toEqual({ value: "1", text: "1" });
  });

  it("refuses what is not a count or a list, naming what it got", async () => {
    for (const [path, message] of [
      ["/object", /must answer a JSON count or list/],
      ["/text", /not JSON/],
      ["/missing", /a GET answered 404/],
    ] as const) {
      const error = await stateReader(`${base}${path}`, 2000)().catch((e: unknown) => e);
      expect(error).toBeInstanceOf(ConformanceError);
      expect((error as Error).message).toMatch(message);
    }
  });

  it("says nothing answered, and what to do, when nothing listens there", async () => {
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, "127.0.0.1", resolve));
    const { port } = closed.address() as AddressInfo;
    await new Promise((resolve) => closed.close(resolve));
    const error = await stateReader(`http://127.0.0.1:${port}/count`, 2000)().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ConformanceError);
    expect(error).toMatchObject({ code: "state_url", url: `http://127.0.0.1:${port}/count` });
    expect((error as Error).message).toBe("nothing answered (ECONNREFUSED); start your app before the suite, or check the URL's host and port");
  });

  it("reads at most MAX_STATE_BYTES of an answer, says a timeout in words, and shows no raw control character", async () => {
    const huge = await stateReader(`${base}/huge`, 5000)().catch((e: unknown) => e);
    expect((huge as Error).message).toMatch(new RegExp(`larger than ${MAX_STATE_BYTES / 1024 / 1024} MiB`));
    const slow = await stateReader(`${base}/slow`, 200)().catch((e: unknown) => e);
    expect((slow as Error).message).toMatch(/cannot read it \(no answer within 200 ms\)/);
    const odd = await stateReader(`${base}/carriage-return`, 2000)().catch((e: unknown) => e);
    expect((odd as Error).message).toMatch(/must answer a JSON count or list/);
    expect((odd as Error).message).not.toMatch(/\r/);
  });

  it("readAfterSettling returns as soon as the state moves, and after settleMs when it does not", async () => {
    processed = [];
    const read = stateReader(`${base}/count`, 2000);
    const from = await read();
    const started = Date.now();
    expect((await readAfterSettling(read, from, 200, (ms) => new Promise((r) => setTimeout(r, ms)), Date.now)).value).toBe("0");
    expect(Date.now() - started).toBeGreaterThanOrEqual(190);
    setTimeout(() => processed.push("late"), 50);
    expect((await readAfterSettling(read, from, 5000, (ms) => new Promise((r) => setTimeout(r, ms)), Date.now)).value).toBe("1");
  });
});
