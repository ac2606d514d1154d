/**
 * The stdio transport of `pinwheel-cli mcp`: what it answers to each line, over streams, in front
 * of the SDK's own server.
 */
import { PassThrough } from "node:stream";
import { McpServer } from "@modelcontextprotocol/sdk/server/mcp.js";
import { afterEach, describe, expect, it } from "vitest";
import { LineTransport } from "../../src/mcp/line-transport.js";

const INITIALIZE = { jsonrpc: "2.0", id: 0, method: "initialize", params: { protocolVersion: "2025-06-18", capabilities: {}, clientInfo: { name: "t", version: "1" } } };

interface Session {
  /** Writes raw text to the server's stdin. */
  write(text: string): void;
  /** The next `count` lines the server wrote, parsed. */
  read(count: number): Promise<Array<Record<string, unknown>>>;
  /** Every line written so far, parsed. */
  written(): Array<Record<string, unknown>>;
  refused: string[];
  errors: Error[];
  closed(): boolean;
  transport: LineTransport;
}

const open: McpServer[] = [];
afterEach(async () => {
  await Promise.all(open.splice(0).map((server) => server.close()));
});

async function session(maxLineBytes?: number): Promise<Session> {
  const input = new PassThrough();
  const output = new PassThrough();
  const lines: Array<Record<string, unknown>> = [];
  let text = "";
  let waiting: (() => void) | undefined;
  output.on("data", (chunk: Buffer) => {
    text += chunk.toString("utf8");
    for (let end = text.indexOf("\n"); end !== -1; end = text.indexOf("\n")) {
      lines.push(JSON.parse(text.slice(0, end)) as Record<string, unknown>);
      text = text.slice(end + 1);
    }
    waiting?.();
  });
  const transport = new LineTransport(input, output, maxLineBytes);
  const refused: string[] = [];
  const errors: Error[] = [];
  let closed = false;
  transport.onrefused = (what) => refused.push(what);
  const server = new McpServer({ name: "t", version: "1" });
  server.server.onerror = (error) => errors.push(error);
  server.server.onclose = () => {
    closed = true;
  };
  open.push(server);
  await server.connect(transport);
  let read = 0;
  return {
    write: (chunk) => input.write(chunk),
    async read(count) {
      while (lines.length < read + count) await new Promise<void>((resolve) => (waiting = resolve));
      const next = lines.slice(read, read + count);
      read += count;
      return next;
    },
    written: () => lines,
    refused,
    errors,
    closed: () => closed,
    transport,
  };
}

const line = (message: unknown) => `${JSON.stringify(message)}\n`;
const ping = (id: number | string) => line({ jsonrpc: "2.0", id, method: "ping" });

describe("LineTransport", () => {
  it("serves a request a line", async () => {
    const s = await session();
    s.write(line(INITIALIZE));
    const [answer] = await s.read(1);
    expect(answer).toMatchObject({ jsonrpc: "2.0", id: 0, result: { serverInfo: { name: "t" } } });
  });

  it("answers a line that is not JSON with -32700 Parse error, id null, and goes on serving", async () => {
    const s = await session();
    s.write(`{not json\n${ping(1)}`);
    const [error, pong] = await s.read(2);
    expect(error).toMatchObject({ jsonrpc: "2.0", id: null, error: { code: -32700, message: "Parse error" } });
    expect(error?.error).toHaveProperty("data", expect.stringMatching(/^the line is not JSON: /));
    expect(pong).toEqual({ jsonrpc: "2.0", id: 1, result: {} });
    expect(s.refused).toEqual([expect.stringMatching(/^answered -32700 Parse error: the line is not JSON/)]);
    expect(s.errors).toEqual([]);
  });

  it.each([
    ["a batch", "[]", /batches/],
    ["a batch of requests", `[${JSON.stringify({ jsonrpc: "2.0", id: 7, method: "ping" })}]`, /batches/],
    ["a number", "42", /not number/],
    ["a string", '"ping"', /not string/],
    ["null", "null", /not null/],
    ["an object without method", '{"jsonrpc":"2.0"}', /"method" must be a string/],
    ["a method that is not a string", '{"jsonrpc":"2.0","method":1,"params":"bar"}', /"method" must be a string/],
    ["an id of null", '{"jsonrpc":"2.0","id":null,"method":"ping"}', /"id" must be a string or an integer/],
  ])("answers %s with -32600 Invalid Request, id null, and goes on serving", async (_, text, data) => {
    const s = await session();
    s.write(`${text}\n${ping(2)}`);
    const [error, pong] = await s.read(2);
    expect(error).toEqual({ jsonrpc: "2.0", id: null, error: { code: -32600, message: "Invalid Request", data: expect.stringMatching(data) } });
    expect(pong).toEqual({ jsonrpc: "2.0", id: 2, result: {} });
  });

  it.each([
    ["without jsonrpc", { id: 5, method: "ping" }, 5, /"jsonrpc" must be "2.0"/],
    ["with params that are not an object", { jsonrpc: "2.0", id: "a", method: "ping", params: [1] }, "a", /"params" must be an object/],
    ["with a member JSON-RPC does not have", { jsonrpc: "2.0", id: 6, method: "ping", extra: true }, 6, /unexpected member "extra"/],
  ])("answers a request %s with -32600 and its id", async (_, message, id, data) => {
    const s = await session();
    s.write(line(message));
    const [error] = await s.read(1);
    expect(error).toEqual({ jsonrpc: "2.0", id, error: { code: -32600, message: "Invalid Request", data: expect.stringMatching(data) } });
  });

  it("answers an unknown method with -32601, and never a notification, known or not", async () => {
    const s = await session();
    s.write(line({ jsonrpc: "2.0", method: "notifications/nothing-like-it" }));
    s.write(line({ jsonrpc: "2.0", method: "notifications/initialized" }));
    s.write(line({ jsonrpc: "2.0", id: 3, method: "no/such/method" }));
    s.write(ping(4));
    const [unknown, pong] = await s.read(2);
    expect(unknown).toMatchObject({ jsonrpc: "2.0", id: 3, error: { code: -32601 } });
    expect(pong).toEqual({ jsonrpc: "2.0", id: 4, result: {} });
    expect(s.written()).toHaveLength(2);
  });

  it("answers neither a blank line nor one shaped like a response, and goes on serving", async () => {
    const s = await session();
    s.write(`\n  \r\n${line({ jsonrpc: "2.0", id: 9, result: 42 })}${ping(5)}`);
    const [pong] = await s.read(1);
    expect(pong).toEqual({ jsonrpc: "2.0", id: 5, result: {} });
    expect(s.written()).toHaveLength(1);
    expect(s.refused).toEqual(["dropped a line shaped like a response that is not one"]);
  });

  it("reads a message split across chunks, and CRLF line ends", async () => {
    const s = await session();
    const text = JSON.stringify({ jsonrpc: "2.0", id: "é", method: "ping" });
    const bytes = Buffer.from(`${text}\r\n`);
    const cut = bytes.indexOf(Buffer.from("é")) + 1; // inside the two bytes of é
    s.write(bytes.subarray(0, cut) as unknown as string);
    s.write(bytes.subarray(cut) as unknown as string);
    const [pong] = await s.read(1);
    expect(pong).toEqual({ jsonrpc: "2.0", id: "é", result: {} });
  });

  it("ends the connection, with an error, when a line goes past its bound without a newline", async () => {
    const s = await session(64);
    s.write("a".repeat(65));
    await new Promise((resolve) => setImmediate(resolve));
    expect(s.errors.map((error) => error.message)).toEqual(["a message went past 64 bytes without a newline"]);
    expect(s.closed()).toBe(true);
  });
});

describe("LineTransport.paramsProblem", () => {
  it("answers a request it names a problem for with -32602 and the request's id, and hands on the rest", async () => {
    const s = await session();
    s.transport.paramsProblem = (request) => (request.method === "ping" && request.params !== undefined ? "params: ping takes none here" : undefined);
    s.write(line({ jsonrpc: "2.0", id: 7, method: "ping", params: { x: 1 } }));
    expect(await s.read(1)).toEqual([{ jsonrpc: "2.0", id: 7, error: { code: -32602, message: "Invalid params", data: "params: ping takes none here" } }]);
    s.write(ping(8));
    expect(await s.read(1)).toEqual([{ jsonrpc: "2.0", id: 8, result: {} }]);
    expect(s.refused).toEqual(["answered -32602 Invalid params: params: ping takes none here"]);
  });
});

describe("LineTransport and a request's malformed params", () => {
  it("answers a request that is well formed but for its params (a _meta that is no object) -32602 Invalid params with its id", async () => {
    const s = await session();
    s.write(line({ jsonrpc: "2.0", id: 13, method: "ping", params: { _meta: 5 } }));
    const [answer] = await s.read(1);
    expect(answer).toEqual({ jsonrpc: "2.0", id: 13, error: { code: -32602, message: "Invalid params", data: expect.stringMatching(/^params\._meta: [^\n]+$/) } });
    s.write(ping(14));
    expect(await s.read(1)).toEqual([{ jsonrpc: "2.0", id: 14, result: {} }]);
  });
});
