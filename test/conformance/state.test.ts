/** --state-url readings from a real HTTP endpoint: what counts as a count or a list, and what is refused. */
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ConformanceError } from "../../src/conformance/index.js";
import { readAfterSettling, stateReader } from "../../src/conformance/state.js";

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
    "/missing": () => [404, "{}"],
  };
  server = createServer((request, response) => {
    const [status, body] = (answers[request.url ?? ""] ?? answers["/missing"]!)();
    response.writeHead(status, { "content-type": "application/json" }).end(body);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

describe("stateReader", () => {
  it("reads a bare count, a list, or the one field of an object", async () => {
    processed = ["a", "b"];
    await expect(stateReader(`${base}/count`, 2000)()).resolves.toEqual({ value: "2", text: "2" });
    await expect(stateReader(`${base}/list`, 2000)()).resolves.toEqual({ value: '["a","b"]', text: "a list of 2" });
    await expect(stateReader(`${base}/wrapped`, 2000)()).resolves.toEqual({ value: "2", text: "count 2" });
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
