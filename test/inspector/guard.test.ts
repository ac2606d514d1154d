/**
 * The inspector's guard on its own, for what a test on 127.0.0.1 cannot send: a request from
 * another machine. Bound beyond loopback (listen --host 0.0.0.0), the page and its token reach the
 * network, and a replay re-signs with the real secret to a URL the caller chooses: only a client
 * on this machine may ask for one. The Host header is the client's to write, so it cannot say
 * where the client is; the connection's peer can.
 */
import type { IncomingMessage } from "node:http";
import { describe, expect, it } from "vitest";
import { HttpError } from "../../src/http/http-error.js";
import { createGuard, TOKEN_HEADER } from "../../src/inspector/guard.js";
import { thrown } from "../helpers/thrown.js";

const TOKEN = "t".repeat(43);

/** The parts of a request the guard reads: its headers and the address of the connection's other end. */
function request(remoteAddress: string, headers: Record<string, string>): IncomingMessage {
  return { headers: { [TOKEN_HEADER]: TOKEN, ...headers }, socket: { remoteAddress } } as unknown as IncomingMessage;
}

describe("the inspector's guard, bound beyond loopback", () => {
  const guard = createGuard({ token: TOKEN, loopbackOnly: false });

  it("takes a replay from this machine through a loopback name", () => {
    for (const peer of ["127.0.0.1", "::1", "::ffff:127.0.0.1", "127.0.0.2"]) {
      expect(() => guard.checkWrite(request(peer, { host: "localhost:3000" }))).not.toThrow();
    }
  });

  it("refuses a replay from another machine that writes a loopback Host (curl -H 'Host: localhost' from the network)", () => {
    for (const host of ["localhost:3000", "127.0.0.1:3000", "[::1]:3000"]) {
      const error = thrown(() => guard.checkWrite(request("192.168.1.20", { host })));
      expect(error).toBeInstanceOf(HttpError);
      expect(error).toMatchObject({ statusCode: 403, code: "replay_needs_localhost" });
    }
    expect(thrown(() => guard.checkWrite(request("::ffff:10.0.0.7", { host: "localhost:3000" })))).toMatchObject({ statusCode: 403 });
  });

  it("still refuses a page on this machine opened through another name (DNS rebinding)", () => {
    expect(thrown(() => guard.checkWrite(request("127.0.0.1", { host: "evil.example:3000" })))).toMatchObject({ statusCode: 403, code: "replay_needs_localhost" });
  });
});
