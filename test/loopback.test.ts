import { mkdtempSync, rmSync } from "node:fs";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { bindAddress, bindsToLoopback, isLoopbackHost } from "../src/loopback.js";
import { startMockServer } from "../src/mock/server.js";
import { startReceiver } from "../src/receiver/server.js";
import { apiKeyFingerprint } from "../src/registry/api-key.js";
import { createLocalRegistry } from "../src/registry/local.js";
import { openDatabase } from "../src/store/database.js";
import { receiverOptions } from "./helpers/receiver.js";

describe("isLoopbackHost, shared by listen, the local registry and the inspector", () => {
  it("accepts localhost and its subdomains (fully qualified too), 127.0.0.0/8 and ::1 (bracketed or not)", () => {
    for (const host of ["localhost", "LOCALHOST", "localhost.", "app.localhost", "app.localhost.", "127.0.0.1", "127.1.2.3", "::1", "[::1]"]) expect(isLoopbackHost(host), host).toBe(true);
  });

  it("refuses every other name and address", () => {
    for (const host of ["0.0.0.0", "::", "example.com", "localhost.example.com", "localhost..", "localhost.example.", "128.0.0.1", "127.0.0", "10.0.0.1", "[::2]", ""]) expect(isLoopbackHost(host), host).toBe(false);
  });
});

describe("bindsToLoopback: whether listen and mock are on loopback, by the address a host binds", () => {
  it("takes every spelling of a loopback address the resolver binds as loopback, and nothing else", async () => {
    // Once spelled-out only: 127.1 and the rest bound 127.0.0.1 with the Host check off.
    for (const host of ["127.0.0.1", "localhost", "app.localhost", "::1", "127.1", "2130706433", "0x7f000001", "::ffff:127.0.0.1", "::ffff:7f00:1", "0:0:0:0:0:ffff:7f00:1"]) {
      expect(await bindsToLoopback(host), host).toBe(true);
    }
    for (const host of ["0.0.0.0", "::", "10.0.0.1", "192.0.2.1", "::ffff:a00:1", "::ffff:8000:1", "does-not-resolve.invalid"]) expect(await bindsToLoopback(host), host).toBe(false);
  });
});

describe("bindAddress: where listen and mock listen for a host they take for this machine", () => {
  it("binds a subdomain of localhost to 127.0.0.1 and leaves every other host to the system", () => {
    for (const host of ["app.localhost", "Hooks.Localhost"]) expect(bindAddress(host), host).toBe("127.0.0.1");
    for (const host of ["localhost", "127.0.0.1", "::1", "0.0.0.0", "example.com", "localhost.example.com"]) expect(bindAddress(host), host).toBe(host);
  });

  // This machine's resolver asks DNS for app.localhost (ENOTFOUND here): both servers failed to start.
  it("starts the receiver and the mock on 127.0.0.1 for app.localhost, without asking the resolver", async () => {
    const dir = mkdtempSync(join(tmpdir(), "pinwheel-bind-"));
    const db = openDatabase(join(dir, "events.db"));
    try {
      const receiver = await startReceiver(receiverOptions(join(dir, "events.db"), "bind-secret", { host: "app.localhost" }));
      const mock = await startMockServer({ host: "app.localhost", port: 0, secret: "bind-secret", registry: createLocalRegistry({ db, apiKey: apiKeyFingerprint("bind-secret") }) });
      try {
        expect((receiver.server.address() as AddressInfo).address).toBe("127.0.0.1");
        expect((mock.server.address() as AddressInfo).address).toBe("127.0.0.1");
        expect(mock.url).toBe(`http://app.localhost:${mock.port}`);
      } finally {
        await mock.close();
        await receiver.close();
      }
    } finally {
      db.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
