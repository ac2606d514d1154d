/**
 * Raw HTTP/1.1 over a socket, for requests a client library would refuse to send or would finish
 * for us: malformed heads, bodies that stop half way, connections that send nothing.
 */
import { connect, type Socket } from "node:net";

export interface RawAnswer {
  status: number | null;
  text: string;
}

/** Sends bytes exactly as given (no client-side validation) and reads until the server closes or answers. */
export function rawRequest(port: number, bytes: Buffer, options: { timeoutMs?: number } = {}): Promise<RawAnswer> {
  return new Promise((resolve) => {
    const socket: Socket = connect(port, "127.0.0.1");
    const chunks: Buffer[] = [];
    const finish = () => {
      clearTimeout(timer);
      socket.destroy();
      const text = Buffer.concat(chunks).toString("latin1");
      const match = /^HTTP\/1\.1 (\d{3})/.exec(text);
      resolve({ status: match ? Number(match[1]) : null, text });
    };
    const timer = setTimeout(finish, options.timeoutMs ?? 5000);
    socket.on("data", (chunk) => {
      chunks.push(chunk);
      const text = Buffer.concat(chunks).toString("latin1");
      const headerEnd = text.indexOf("\r\n\r\n");
      if (headerEnd === -1) return;
      const length = /\r\ncontent-length: (\d+)/i.exec(text.slice(0, headerEnd));
      if (/^HTTP\/1\.1 \d{3}/.test(text) && (!length || text.length - headerEnd - 4 >= Number(length[1]) || text.startsWith("HTTP/1.1 204"))) finish();
      if (/^HEAD /.test(bytes.toString("latin1", 0, 5))) finish();
    });
    socket.on("error", finish);
    socket.on("close", finish);
    socket.write(bytes);
  });
}

export function httpRequest(method: string, path: string, headers: [string, string | Buffer][], body: Buffer): Buffer {
  const head = [`${method} ${path} HTTP/1.1`, "host: 127.0.0.1", "connection: close"];
  const lines: Buffer[] = [Buffer.from(head.join("\r\n") + "\r\n", "latin1")];
  for (const [name, value] of headers) lines.push(Buffer.concat([Buffer.from(`${name}: `, "latin1"), Buffer.from(value), Buffer.from("\r\n")]));
  lines.push(Buffer.from(`content-length: ${body.length}\r\n\r\n`, "latin1"), body);
  return Buffer.concat(lines);
}

/** A connected socket to 127.0.0.1:port; socket errors are left to what the test reads. */
export async function openSocket(port: number): Promise<Socket> {
  const socket = connect(port, "127.0.0.1");
  socket.on("error", () => {});
  await new Promise((resolve) => socket.once("connect", resolve));
  return socket;
}

/** Everything the server sends on the socket, once it closes the connection (or the connection fails). */
export function textUntilClosed(socket: Socket): Promise<string> {
  return new Promise((resolve) => {
    let text = "";
    socket.on("data", (chunk: Buffer) => (text += chunk.toString()));
    socket.on("close", () => resolve(text));
    socket.on("error", () => resolve(text));
  });
}

/** Whether anything listens on 127.0.0.1:port now: a server that stopped listening refuses the connection. */
export function acceptsConnections(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect(port, "127.0.0.1");
    socket.once("connect", () => {
      socket.destroy();
      resolve(true);
    });
    socket.once("error", () => resolve(false));
  });
}
