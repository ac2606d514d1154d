/** describeTransportError on failures real sockets give. */
import { connect, createServer, type LookupFunction } from "node:net";
import type { AddressInfo } from "node:net";
import { describe, expect, it } from "vitest";
import { describeTransportError } from "../src/transport-error.js";

/** A port nothing listens on: bound, then closed. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

/** What a hosts file listing both 127.0.0.1 and ::1 for a name gives. */
const bothLoopbacks: LookupFunction = (_hostname, options, callback) => {
  if (options.all) return callback(null, [{ address: "127.0.0.1", family: 4 }, { address: "::1", family: 6 }]);
  callback(null, "127.0.0.1", 4);
};

describe("describeTransportError", () => {
  it("names every address of a name that refused at each (Node's AggregateError has no message of its own)", async () => {
    const port = await closedPort();
    const error = await new Promise<Error>((resolve) => connect({ host: "dual.example", port, lookup: bothLoopbacks }).once("error", resolve));
    expect(describeTransportError(error, 1000)).toEqual({
      kind: "network",
      message: expect.stringMatching(new RegExp(`^connect ECONNREFUSED 127\\.0\\.0\\.1:${port}; connect (ECONNREFUSED|EADDRNOTAVAIL|ENETUNREACH) ::1:${port}$`)),
    });
  });
});
