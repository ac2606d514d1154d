import type { Readable, Writable } from "node:stream";
import type { Transport } from "@modelcontextprotocol/sdk/shared/transport.js";
import { ErrorCode, JSONRPCMessageSchema, JSONRPCRequestSchema, type JSONRPCMessage, type RequestId } from "@modelcontextprotocol/sdk/types.js";

/** The longest line kept waiting for its newline (the SDK's stdio transport has the same bound). */
export const MAX_LINE_BYTES = 10 * 1024 * 1024;

const NEWLINE = 0x0a;

/**
 * MCP's stdio transport: one JSON-RPC 2.0 message a line, each way. Unlike the SDK's, a line
 * that is not a message is answered as JSON-RPC 2.0 says (the SDK's drops it): not JSON, -32700
 * Parse error; JSON that is not a request, -32600 Invalid Request, with the line's id when it has
 * one. An array is refused the same way: MCP (2025-06-18) dropped JSON-RPC batches. Either way the
 * connection goes on. What is not answered: a blank line, and something shaped like a response
 * (an answer to it could pass for the answer to one of the client's own requests). A line past
 * MAX_LINE_BYTES ends the connection (onerror, then onclose).
 */
export class LineTransport implements Transport {
  onclose?: () => void;
  onerror?: (error: Error) => void;
  onmessage?: (message: JSONRPCMessage) => void;
  /** A line refused (answered or not), in a few words: for the log. */
  onrefused?: (what: string) => void;
  /**
   * What is wrong with a request's params, if anything (one line): the request is then answered
   * -32602 Invalid params here rather than handed on. Unset, every request is handed on.
   */
  paramsProblem?: (request: { method: string; params?: unknown }) => string | undefined;

  private pending: Buffer[] = [];
  private pendingBytes = 0;
  private started = false;
  private closed = false;

  constructor(
    private readonly input: Readable,
    private readonly output: Writable,
    private readonly maxLineBytes = MAX_LINE_BYTES,
  ) {}

  async start(): Promise<void> {
    if (this.started) throw new Error("the transport is already started");
    this.started = true;
    this.input.on("data", this.onData);
    this.input.on("error", this.onInputError);
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.input.off("data", this.onData);
    this.input.off("error", this.onInputError);
    if (this.input.listenerCount("data") === 0) this.input.pause();
    this.pending = [];
    this.pendingBytes = 0;
    this.onclose?.();
  }

  send(message: JSONRPCMessage): Promise<void> {
    return new Promise((resolve) => {
      if (this.output.write(`${JSON.stringify(message)}\n`)) resolve();
      else this.output.once("drain", resolve);
    });
  }

  private readonly onInputError = (error: Error) => {
    this.onerror?.(error);
  };

  private readonly onData = (chunk: Buffer | string) => {
    let bytes = typeof chunk === "string" ? Buffer.from(chunk) : chunk;
    for (let end = bytes.indexOf(NEWLINE); end !== -1 && !this.closed; end = bytes.indexOf(NEWLINE)) {
      const line = Buffer.concat([...this.pending, bytes.subarray(0, end)]);
      this.pending = [];
      this.pendingBytes = 0;
      bytes = bytes.subarray(end + 1);
      this.receive(line.toString("utf8").replace(/\r$/, ""));
    }
    if (this.closed || bytes.length === 0) return;
    this.pending.push(bytes);
    this.pendingBytes += bytes.length;
    if (this.pendingBytes > this.maxLineBytes) {
      const bound = this.maxLineBytes % (1024 * 1024) === 0 ? `${this.maxLineBytes / 1024 / 1024} MiB` : `${this.maxLineBytes} bytes`;
      this.onerror?.(new Error(`a message went past ${bound} without a newline`));
      void this.close();
    }
  };

  private receive(line: string): void {
    if (line.trim() === "") return;
    let value: unknown;
    try {
      value = JSON.parse(line);
    } catch (error) {
      this.refuse(null, ErrorCode.ParseError, "Parse error", `the line is not JSON: ${(error as Error).message}`);
      return;
    }
    const parsed = JSONRPCMessageSchema.safeParse(value);
    if (parsed.success) {
      const message = parsed.data;
      const id = "method" in message && "id" in message ? message.id : undefined;
      const problem = id === undefined ? undefined : this.paramsProblem?.(message as { method: string });
      if (id !== undefined && problem !== undefined) this.refuse(id, ErrorCode.InvalidParams, "Invalid params", problem);
      else this.onmessage?.(message);
      return;
    }
    if (Array.isArray(value)) {
      this.refuse(null, ErrorCode.InvalidRequest, "Invalid Request", "batches (JSON arrays) are not supported: MCP dropped JSON-RPC batching; send one message a line");
      return;
    }
    if (value === null || typeof value !== "object") {
      this.refuse(null, ErrorCode.InvalidRequest, "Invalid Request", `a JSON-RPC message is an object, not ${value === null ? "null" : typeof value}`);
      return;
    }
    const fields = value as Record<string, unknown>;
    if (!("method" in fields) && ("result" in fields || "error" in fields)) {
      this.onrefused?.("dropped a line shaped like a response that is not one");
      return;
    }
    const id = typeof fields.id === "string" || (typeof fields.id === "number" && Number.isFinite(fields.id)) ? fields.id : null;
    const problem = requestProblem(fields);
    // A request in every member but its params (a "_meta" that is no object): Invalid params.
    if (problem === undefined) {
      const issues = JSONRPCRequestSchema.safeParse(value).error?.issues ?? parsed.error.issues;
      const issue = issues.find((each) => each.path[0] === "params") ?? issues[0];
      const where = issue && issue.path.length > 0 ? issue.path.map(String).join(".") : "params";
      this.refuse(id, ErrorCode.InvalidParams, "Invalid params", `${where}: ${issue?.message.replace(/^Invalid input: /, "").replace(/\s*\n\s*/g, " ") ?? "not valid"}`);
      return;
    }
    this.refuse(id, ErrorCode.InvalidRequest, "Invalid Request", problem);
  }

  private refuse(id: RequestId | null, code: ErrorCode, message: string, data: string): void {
    this.onrefused?.(`answered ${code} ${message}: ${data}`);
    // The SDK's message type wants an id; JSON-RPC 2.0 answers null when the line's cannot be read.
    void this.send({ jsonrpc: "2.0", id, error: { code, message, data } } as unknown as JSONRPCMessage);
  }
}

/** What keeps an object from being a JSON-RPC 2.0 request, for the error's data; undefined when only its params do. */
function requestProblem(fields: Record<string, unknown>): string | undefined {
  if (fields.jsonrpc !== "2.0") return '"jsonrpc" must be "2.0"';
  if (typeof fields.method !== "string") return '"method" must be a string';
  if ("id" in fields && typeof fields.id !== "string" && !Number.isInteger(fields.id)) return '"id" must be a string or an integer';
  if ("params" in fields && (fields.params === null || typeof fields.params !== "object" || Array.isArray(fields.params))) return '"params" must be an object';
  const extra = Object.keys(fields).filter((key) => !["jsonrpc", "id", "method", "params"].includes(key));
  if (extra.length > 0) return `unexpected member ${JSON.stringify(extra[0])}`;
  return "params" in fields && "id" in fields ? undefined : "not a JSON-RPC 2.0 request";
}
