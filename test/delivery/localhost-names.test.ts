/**
 * localhost and *.localhost are this machine (RFC 6761 §6.3): both senders connect to a loopback
 * address for them without asking the resolver, which may not know *.localhost at all (glibc does
 * not special-case it; this machine's answers ENOTFOUND) or may name a remote host for it. MCP
 * without --allow-remote, the local registry's http:// webhooks and listen's forward target all
 * trust such a URL to stay on this machine.
 */
import { createServer, type IncomingHttpHeaders } from "node:http";
import type { AddressInfo } from "node:net";
import { describe, expect, it } from "vitest";
import { useBothSenders } from "../helpers/both-senders.js";

const { servers, both: bothSenders } = useBothSenders();

/** A server on `address` only that answers 200 and keeps the Host header of each request. */
async function serverOn(address: string): Promise<{ port: number; hosts: (string | undefined)[] }> {
  const hosts: IncomingHttpHeaders["host"][] = [];
  const server = createServer((request, response) => {
    hosts.push(request.headers.host);
    request.resume().on("end", () => response.end("ok"));
  });
  servers.push(server);
  await new Promise<void>((resolve, reject) => server.once("error", reject).listen(0, address, resolve));
  return { port: (server.address() as AddressInfo).port, hosts };
}

describe("sending to localhost names", () => {
  it("reaches a server on 127.0.0.1 through http://app.localhost, whatever the resolver says, with the Host header as written", async () => {
    const { port, hosts } = await serverOn("127.0.0.1");
    for (const { name, sender } of bothSenders()) {
      const result = await sender.send(`http://app.localhost:${port}/hook`, "{}", { "content-type": "application/json" });
      expect({ name, statusCode: result.statusCode, error: result.error }).toEqual({ name, statusCode: 200, error: undefined });
    }
    expect(hosts).toEqual([`app.localhost:${port}`, `app.localhost:${port}`]);
  });

  it("reaches a server bound to 127.0.0.1 only through http://localhost", async () => {
    const { port } = await serverOn("127.0.0.1");
    for (const { name, sender } of bothSenders()) {
      const result = await sender.send(`http://localhost:${port}/`, "{}", {});
      expect({ name, statusCode: result.statusCode }).toEqual({ name, statusCode: 200 });
    }
  });

  it("reaches a server bound to ::1 only through http://localhost, as a dev server on a dual-stack machine may be", async (context) => {
    const bound = await serverOn("::1").catch(() => undefined);
    if (!bound) return context.skip("this machine has no IPv6 loopback");
    for (const { name, sender } of bothSenders()) {
      const result = await sender.send(`http://localhost:${bound.port}/`, "{}", {});
      expect({ name, statusCode: result.statusCode, error: result.error }).toEqual({ name, statusCode: 200, error: undefined });
    }
  });

  it("names the loopback addresses it was refused at when nothing listens on the port", async () => {
    const { port } = await serverOn("127.0.0.1");
    await new Promise<void>((resolve) => servers.pop()!.close(() => resolve()));
    for (const { name, sender } of bothSenders()) {
      const result = await sender.send(`http://app.localhost:${port}/`, "{}", {});
      expect({ name, errorKind: result.errorKind, error: result.error }).toEqual({
        name,
        errorKind: "network",
        error: expect.stringMatching(new RegExp(`^connect ECONNREFUSED 127\\.0\\.0\\.1:${port}\\b`)),
      });
    }
  });
});
