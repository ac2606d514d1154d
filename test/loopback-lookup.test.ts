/** The lookup every outgoing connection uses: localhost names answered with loopback, others by the system. */
import type { LookupAddress, LookupOptions } from "node:dns";
import { describe, expect, it } from "vitest";
import { lookupLocalhostAsLoopback } from "../src/loopback-lookup.js";

function lookup(hostname: string, options: LookupOptions): Promise<{ address: string | LookupAddress[]; family?: number }> {
  return new Promise((resolve, reject) => {
    lookupLocalhostAsLoopback(hostname, options, (error, address, family) => (error ? reject(error) : resolve({ address, family })));
  });
}

describe("lookupLocalhostAsLoopback", () => {
  it("answers localhost and *.localhost with 127.0.0.1 then ::1 when every address is asked for, as Node's family auto-selection asks", async () => {
    for (const name of ["localhost", "LocalHost", "app.localhost", "evil.example.localhost"]) {
      expect((await lookup(name, { all: true })).address, name).toEqual([
        { address: "127.0.0.1", family: 4 },
        { address: "::1", family: 6 },
      ]);
    }
  });

  it("gives one address of the family asked for, 127.0.0.1 when none is", async () => {
    expect(await lookup("app.localhost", {})).toEqual({ address: "127.0.0.1", family: 4 });
    expect(await lookup("app.localhost", { family: 4 })).toEqual({ address: "127.0.0.1", family: 4 });
    expect(await lookup("app.localhost", { family: 6 })).toEqual({ address: "::1", family: 6 });
    expect(await lookup("app.localhost", { family: "IPv6", all: true })).toEqual({ address: [{ address: "::1", family: 6 }], family: undefined });
  });

  it("hands every other name to the system's resolver", async () => {
    expect(await lookup("127.0.0.2", {})).toEqual({ address: "127.0.0.2", family: 4 });
    await expect(lookup("no-such-host.invalid", {})).rejects.toMatchObject({ code: expect.stringMatching(/^(ENOTFOUND|EAI_AGAIN)$/) });
  });
});
