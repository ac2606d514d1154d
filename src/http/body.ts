import type { IncomingMessage } from "node:http";

export type BodyRead = { tooLarge: false; bytes: Buffer } | { tooLarge: true; size: number };

/**
 * Reads a request body whole, keeping at most maxBytes: a larger one is read to its end (so the
 * answer can still be sent on the same connection) and reported as too large, never buffered.
 */
export function readBody(request: IncomingMessage, maxBytes: number): Promise<BodyRead> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    request.on("data", (chunk: Buffer) => {
      size += chunk.length;
      if (size <= maxBytes) chunks.push(chunk);
    });
    request.on("error", reject);
    request.on("end", () => resolve(size > maxBytes ? { tooLarge: true, size } : { tooLarge: false, bytes: Buffer.concat(chunks) }));
  });
}
