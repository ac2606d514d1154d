/** A scheme ("https:"), as opposed to a host and port ("localhost:8080") that a URL parser also reads as one. */
const SCHEME = /^[a-z][a-z0-9+.-]*:(?!\d)/i;

export function hasScheme(value: string): boolean {
  return SCHEME.test(value);
}

/**
 * "localhost:8080/webhooks" as the Stripe CLI takes it: a URL on this machine typed without its
 * scheme means http://. Off this machine the scheme is not guessed (https is the likely one, and a
 * wrong guess sends signed events in the clear): the value is returned as it came, to be refused.
 */
export function withLoopbackScheme(value: string): string {
  if (SCHEME.test(value) || value.startsWith("/")) return value;
  try {
    return isLoopbackHost(new URL(`http://${value}`).hostname) ? `http://${value}` : value;
  } catch {
    return value;
  }
}

/**
 * The one test of "this host is this machine", for listen's bind address, the local registry's
 * http:// webhook URLs and the inspector's Host check: localhost and its subdomains (RFC 6761),
 * 127.0.0.0/8, and ::1 with or without the brackets a URL puts around it.
 */
export function isLoopbackHost(host: string): boolean {
  const name = host.toLowerCase();
  return isLocalhostName(name) || name === "::1" || name === "[::1]" || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(name);
}

/**
 * localhost and its subdomains, which name this machine whatever DNS says: every connection to
 * one goes to loopback without asking the resolver (src/loopback-lookup.ts). "localhost." is the
 * same name written fully qualified.
 */
export function isLocalhostName(name: string): boolean {
  const lower = name.toLowerCase().replace(/\.$/, "");
  return lower === "localhost" || lower.endsWith(".localhost");
}

/**
 * Where a server given `host` listens: a subdomain of localhost on 127.0.0.1 itself, as every
 * connection this tool makes to one goes there (src/loopback-lookup.ts). The system resolver asks
 * DNS for it, which may name another host or none (ENOTFOUND), while listen and mock, taking it for
 * this machine, would skip their warning about being reachable from the network.
 */
export function bindAddress(host: string): string {
  const name = host.toLowerCase();
  return name !== "localhost" && isLocalhostName(name) ? "127.0.0.1" : host;
}

/**
 * The DNS-rebinding rule for a server bound to loopback: a Host header naming anything but a
 * loopback name can only come from a page that pointed its own DNS name at 127.0.0.1.
 */
export function isLoopbackHostHeader(host: string | undefined): boolean {
  return host !== undefined && isLoopbackHost(hostname(host));
}

function hostname(hostHeader: string): string {
  // "[::1]:3000" -> "[::1]", "localhost:3000" -> "localhost"
  const bracketed = /^(\[[^\]]*\])(?::\d+)?$/.exec(hostHeader);
  return bracketed?.[1] ?? hostHeader.replace(/:\d+$/, "");
}

/**
 * Whether a server given `host` listens on loopback only. Decided on the address the name resolves
 * to, as server.listen resolves it (dns.lookup), not on how it is spelled: 127.1, 2130706433,
 * 0x7f000001 and ::ffff:127.0.0.1 bind 127.0.0.1 too, and a Host check keyed on the spelling would
 * be off for them while the server sits on loopback, open to DNS rebinding.
 */
export async function bindsToLoopback(host: string): Promise<boolean> {
  const address = bindAddress(host);
  if (isLoopbackHost(address)) return true;
  try {
    // Imported here: the commands that only type-check URLs never load the resolver.
    const { lookup } = await import("node:dns/promises");
    return isLoopbackPeer((await lookup(address)).address);
  } catch {
    // A name that does not resolve binds nothing: listen fails on it, with its own message.
    return false;
  }
}

/**
 * Whether a connection's peer address (socket.remoteAddress) is this machine: 127.0.0.0/8 or ::1,
 * an IPv4 one also as a dual-stack socket reports it (::ffff:127.0.0.1). Unlike a Host header, the
 * client cannot choose it.
 */
export function isLoopbackPeer(address: string | undefined): boolean {
  if (address === undefined) return false;
  // A socket reports a numeric address, never a name: the one host test decides, on the address
  // written as a URL writes it (::ffff:127.0.0.1, ::ffff:7f00:1 and 0:0:0:0:0:ffff:7f00:1 alike).
  if (!address.includes(":")) return isLoopbackHost(address);
  let canonical: string;
  try {
    canonical = new URL(`http://[${address}]/`).hostname;
  } catch {
    return false;
  }
  return canonical === "[::1]" || /^\[::ffff:7f[0-9a-f]{2}:[0-9a-f]{1,4}\]$/.test(canonical);
}
