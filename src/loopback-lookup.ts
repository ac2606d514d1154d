import type { LookupAddress } from "node:dns";
import { createRequire } from "node:module";
import type { LookupFunction } from "node:net";
import { isLocalhostName } from "./loopback.js";

const LOOPBACK_V4: LookupAddress = { address: "127.0.0.1", family: 4 };
const LOOPBACK_V6: LookupAddress = { address: "::1", family: 6 };

/** node:dns (2 ms to load) only once a name other than localhost is looked up; net loads it then anyway. */
const systemLookup = (): typeof import("node:dns").lookup => (createRequire(import.meta.url)("node:dns") as typeof import("node:dns")).lookup;

/**
 * The lookup of every connection this tool makes: the system's (dns.lookup), except that localhost
 * and *.localhost are answered here with loopback addresses, as RFC 6761 §6.3 asks and browsers
 * do. glibc's getaddrinfo asks DNS for *.localhost, and a DNS server may name a remote host for
 * it, while the checks that let such a URL through (MCP without --allow-remote, the local
 * registry's http:// webhooks, listen's forward target) trust it to stay on this machine.
 *
 * Both addresses, 127.0.0.1 first: this tool's own servers and most others bind 127.0.0.1, and
 * Node's family auto-selection tries ::1 when it refuses, so a dev server bound to ::1 alone (as
 * localhost binds on a machine whose hosts file lists ::1 first) is reached too. A caller asking
 * for one address gets 127.0.0.1, or ::1 if it asked for IPv6.
 */
export const lookupLocalhostAsLoopback: LookupFunction = (hostname, options, callback) => {
  if (!isLocalhostName(hostname)) return systemLookup()(hostname, options, callback);
  const family = options.family === "IPv6" ? 6 : options.family === "IPv4" ? 4 : options.family;
  const addresses = family === 6 ? [LOOPBACK_V6] : family === 4 ? [LOOPBACK_V4] : [LOOPBACK_V4, LOOPBACK_V6];
  const [first] = addresses as [LookupAddress];
  // Later, as dns.lookup answers: net attaches its listeners after asking.
  process.nextTick(() => (options.all ? callback(null, addresses) : callback(null, first.address, first.family)));
};
