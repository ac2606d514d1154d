/**
 * For tests that hold the two senders (undici's pool and node:http) to the same real servers: the
 * senders and servers a test opened are closed after it, open connections first, so an answer a
 * server still holds does not keep the test waiting.
 */
import type { Server } from "node:net";
import { afterEach } from "vitest";
import { createNodeSender } from "../../src/delivery/node-sender.js";
import { createSender, type HttpSender } from "../../src/delivery/sender.js";

export interface BothSenders {
  /** The test's servers: push each one it starts; one it closes itself it pops. */
  servers: Server[];
  /** The test's senders: push any it makes itself. */
  senders: HttpSender[];
  /** undici's sender and node:http's, with the same options, each named for the test's messages. */
  both(timeoutMs?: number, connections?: number): { name: string; sender: HttpSender }[];
}

export function useBothSenders(): BothSenders {
  const servers: Server[] = [];
  const senders: HttpSender[] = [];
  afterEach(async () => {
    await Promise.all(senders.splice(0).map((sender) => sender.close()));
    await Promise.all(
      servers.splice(0).map((server) => {
        (server as Server & { closeAllConnections?: () => void }).closeAllConnections?.();
        return new Promise<void>((resolve) => server.close(() => resolve()));
      }),
    );
  });
  return {
    servers,
    senders,
    both(timeoutMs = 2_000, connections = 4) {
      const made = [
        { name: "undici", sender: createSender({ timeoutMs, connections }) },
        { name: "node:http", sender: createNodeSender({ timeoutMs, connections }) },
      ];
      senders.push(...made.map((m) => m.sender));
      return made;
    },
  };
}
