/**
 * Drives a spawned, built `pinwheel-cli mcp` with the MCP SDK's own client over stdio: the real
 * protocol. Every JSON-RPC message in both directions and every byte of the server's stderr are
 * kept, so a test can assert what never appears in them (the secret).
 */
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StdioClientTransport } from "@modelcontextprotocol/sdk/client/stdio.js";
import type { Transport } from "@modelcontextprotocol/sdk/shared/transport.js";
import type { JSONRPCMessage, Progress } from "@modelcontextprotocol/sdk/types.js";
import { CLI_PATH, REPO_ROOT } from "./cli.js";

export interface McpSession {
  client: Client;
  /** Every message sent and received so far. */
  messages: JSONRPCMessage[];
  stderr(): string;
  /** callTool, typed loosely: structuredContent as a record, the first text content as text, and the progress notifications it got. */
  call(name: string, args: Record<string, unknown>): Promise<{ isError: boolean; text: string; data: Record<string, unknown>; progress: Progress[] }>;
  close(): Promise<void>;
}

/** The stdio transport, keeping a copy of every message that passes in either direction. */
class RecordingTransport implements Transport {
  onmessage?: Transport["onmessage"];
  onclose?: () => void;
  onerror?: (error: Error) => void;

  constructor(
    private readonly inner: StdioClientTransport,
    private readonly log: JSONRPCMessage[],
  ) {
    inner.onmessage = (message: JSONRPCMessage) => {
      log.push(message);
      this.onmessage?.(message);
    };
    inner.onclose = () => this.onclose?.();
    inner.onerror = (error) => this.onerror?.(error);
  }

  start(): Promise<void> {
    return this.inner.start();
  }

  send(message: JSONRPCMessage): Promise<void> {
    this.log.push(message);
    return this.inner.send(message);
  }

  close(): Promise<void> {
    return this.inner.close();
  }
}

export async function startMcp(args: string[], env: NodeJS.ProcessEnv): Promise<McpSession> {
  const transport = new StdioClientTransport({
    command: process.execPath,
    args: [CLI_PATH, "mcp", ...args],
    cwd: REPO_ROOT,
    env: env as Record<string, string>,
    stderr: "pipe",
  });
  let stderrText = "";
  transport.stderr?.on("data", (chunk: Buffer) => (stderrText += chunk.toString("utf8")));
  const messages: JSONRPCMessage[] = [];
  const client = new Client({ name: "pinwheel-cli-tests", version: "0" });
  await client.connect(new RecordingTransport(transport, messages));
  return {
    client,
    messages,
    stderr: () => stderrText,
    async call(name, callArgs) {
      const progress: Progress[] = [];
      const result = await client.callTool({ name, arguments: callArgs }, undefined, { onprogress: (update) => progress.push(update) });
      const content = result.content as { type: string; text?: string }[];
      return {
        isError: Boolean(result.isError),
        text: content.find((item) => item.type === "text")?.text ?? "",
        data: (result.structuredContent ?? {}) as Record<string, unknown>,
        progress,
      };
    },
    close: () => client.close(),
  };
}
