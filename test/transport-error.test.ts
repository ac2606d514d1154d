/** describeTransportError on failures real sockets give. */
import { connect, createServer, type LookupFunction } from "node:net";
import type { AddressInfo } from "node:net";
import { describe, expect, it } from "vitest";
import { readFileSync } from "node:fs";
import { createServer as createHttpsServer } from "node:https";
import { request } from "undici";
import { certificateHint, describeTransportError } from "../src/transport-error.js";

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

describe("certificateHint", () => {
  it("says how to trust a self-signed certificate a real TLS server presents, or to use plain http://", async () => {
    const tls = { cert: readFileSync(new URL("helpers/tls/localhost.crt", import.meta.url)), key: readFileSync(new URL("helpers/tls/localhost.key", import.meta.url)) };
    const server = createHttpsServer(tls, (_req, res) => res.end());
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    try {
      const error = await request(`https://127.0.0.1:${(server.address() as AddressInfo).port}/`, { method: "POST", body: "{}" }).then(
        () => undefined,
        (thrown: unknown) => thrown,
      );
      const failure = describeTransportError(error, 1000);
      expect(failure.message).toMatch(/^DEPTH_ZERO_SELF_SIGNED_CERT: /);
      expect(certificateHint(failure.message)).toMatch(/^Node does not trust it .*NODE_EXTRA_CA_CERTS=<ca\.pem>.*plain http:\/\/ port$/);
    } finally {
      await new Promise((resolve) => server.close(resolve));
    }
  });

  it("names what is wrong with the certificate, by Node's code", () => {
    for (const code of ["SELF_SIGNED_CERT_IN_CHAIN", "UNABLE_TO_VERIFY_LEAF_SIGNATURE", "UNABLE_TO_GET_ISSUER_CERT_LOCALLY"]) {
      expect(certificateHint(`${code}: some words`), code).toMatch(/NODE_EXTRA_CA_CERTS/);
    }
    expect(certificateHint("CERT_HAS_EXPIRED: certificate has expired")).toMatch(/^it has expired: renew it/);
    expect(certificateHint("ERR_TLS_CERT_ALTNAME_INVALID: Hostname/IP does not match certificate's altnames")).toMatch(/^it is not for that host name/);
    // Trusting a certificate does not help with these.
    expect(certificateHint("CERT_HAS_EXPIRED: x")).not.toMatch(/NODE_EXTRA_CA_CERTS/);
    expect(certificateHint("connect ECONNREFUSED 127.0.0.1:9")).toBeUndefined();
    expect(certificateHint("ERR_SSL_WRONG_VERSION_NUMBER: the server did not answer TLS")).toBeUndefined();
    expect(certificateHint(undefined)).toBeUndefined();
  });
});
