import { usageError } from "../errors.js";
import { isLoopbackHost } from "../loopback.js";
import { redactTypedUrl } from "../redact-url.js";
import type { McpContext } from "./tool.js";

/**
 * A URL a tool may send to. An agent decides the targets itself, so by default it may reach only
 * this machine: anything else needs the person who configured the server to pass --allow-remote.
 */
export function sendTarget(context: Pick<McpContext, "allowRemote">, value: string, field = "to"): string {
  // The value may carry a password: messages (the result and the server's log) show it redacted.
  const shown = redactTypedUrl(value);
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw usageError(`${field}: "${shown}" is not a URL; expected e.g. http://127.0.0.1:3000/webhooks`);
  }
  if (url.protocol !== "http:" && url.protocol !== "https:") throw usageError(`${field}: "${shown}" must start with http:// or https://`);
  if (!context.allowRemote && !isLoopbackHost(url.hostname)) {
    throw usageError(
      `${field}: ${url.host} is not this machine; this server sends only to localhost, 127.0.0.1 or [::1] ` +
        "(whoever configured it can start it with `pinwheel-cli mcp --allow-remote`)",
    );
  }
  return url.toString();
}
