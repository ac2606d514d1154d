/**
 * Where each tunnel program prints its public URL. Formats (see docs/real-sandbox-events.md):
 *
 * cloudflared quick tunnel, on stderr, a box logged at INF:
 *   2025-01-01T00:00:00Z INF |  Your quick Tunnel has been created! Visit it at (it may take some time to be reachable):  |
 *   2025-01-01T00:00:00Z INF |  https://some-random-words.trycloudflare.com                                              |
 * (releases before https:// was added print the bare host name in the box).
 *
 * ngrok v3 with `--log stdout --log-format json`, one object per line:
 *   {"lvl":"info","msg":"started tunnel","obj":"tunnels","name":"command_line","addr":"http://127.0.0.1:3000","url":"https://x.ngrok-free.app"}
 * or with `--log-format logfmt`:
 *   t=2025-01-01T00:00:00+0000 lvl=info msg="started tunnel" obj=tunnels name=command_line addr=http://127.0.0.1:3000 url=https://x.ngrok-free.app
 */

import { stripVTControlCharacters } from "node:util";
import { defined } from "../invariant.js";

export const TUNNEL_PROGRAMS = ["cloudflared", "ngrok"] as const;
export type TunnelProgram = (typeof TUNNEL_PROGRAMS)[number];

const QUICK_TUNNEL = /\b(?:https:\/\/)?([a-z0-9-]+(?:\.[a-z0-9-]+)*\.trycloudflare\.com)\b/i;

function fromCloudflared(line: string): string | undefined {
  const found = QUICK_TUNNEL.exec(line);
  if (!found) return undefined;
  const host = defined(found[1], "the quick tunnel pattern's host group").toLowerCase();
  // Not the service it asks for a tunnel (named in its errors), nor "Requesting new quick Tunnel on trycloudflare.com...".
  if (host === "api.trycloudflare.com") return undefined;
  const inBox = line.includes("|");
  return inBox || found[0].toLowerCase().startsWith("https://") ? `https://${host}` : undefined;
}

function fromNgrok(line: string): string | undefined {
  const trimmed = line.trim();
  if (trimmed.startsWith("{")) {
    try {
      const entry = JSON.parse(trimmed) as { msg?: unknown; url?: unknown };
      return entry.msg === "started tunnel" && typeof entry.url === "string" && entry.url.startsWith("https://") ? entry.url : undefined;
    } catch {
      return undefined;
    }
  }
  if (!/\bmsg="started tunnel"/.test(trimmed)) return undefined;
  return /\burl=(https:\/\/[^\s"]+)/.exec(trimmed)?.[1];
}

/** The public https URL a line of the program's output announces, if it is that line. */
export function publicUrlFrom(program: TunnelProgram, rawLine: string): string | undefined {
  // Colour codes, in case a version colours its log even on a pipe.
  const line = stripVTControlCharacters(rawLine);
  return program === "cloudflared" ? fromCloudflared(line) : fromNgrok(line);
}

/** What listen runs to expose `localUrl`: a quick tunnel needs no account; ngrok needs its authtoken configured. */
export function tunnelArgs(program: TunnelProgram, localUrl: string): string[] {
  return program === "cloudflared"
    ? ["tunnel", "--no-autoupdate", "--url", localUrl]
    : ["http", localUrl, "--log", "stdout", "--log-format", "json"];
}
