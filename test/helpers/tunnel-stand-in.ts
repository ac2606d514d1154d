/**
 * Stand-ins for cloudflared and ngrok: small programs, put in a temp dir that goes on PATH, that
 * print what the real programs print for the arguments listen passes (the lines come from their
 * sources and public logs; see src/tunnel/public-url.ts) and stay up until signalled.
 * Each writes what happened to `<dir>/<program>.log`: its arguments, then the signal that stopped it.
 */
import { chmodSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

export const CLOUDFLARED_URL = "https://seasonal-deck-organisms-sf.trycloudflare.com";
export const NGROK_URL = "https://1a2b-203-0-113-7.ngrok-free.app";

/** cloudflared 2024.x-2025.x quick tunnel: everything on stderr, zerolog's console format. */
const CLOUDFLARED_LINES = [
  "INF Thank you for trying Cloudflare Tunnel. Doing so, without a Cloudflare account, is a quick way to experiment and try it out. However, be aware that these account-less Tunnels have no uptime guarantee. If you intend to use Tunnels in production you should use a pre-created named tunnel by following: https://developers.cloudflare.com/cloudflare-one/connections/connect-networks",
  "INF Requesting new quick Tunnel on trycloudflare.com...",
  "INF +--------------------------------------------------------------------------------------------+",
  "INF |  Your quick Tunnel has been created! Visit it at (it may take some time to be reachable):  |",
  `INF |  ${CLOUDFLARED_URL.padEnd(88)}  |`,
  "INF +--------------------------------------------------------------------------------------------+",
  "INF Version 2025.8.1 (Checksum 0123456789abcdef)",
  "INF Registered tunnel connection connIndex=0 connection=6d2c5d0e-0000-4000-8000-000000000000 event=0 ip=198.41.200.13 location=ams08 protocol=quic",
];

/** ngrok v3 with --log stdout: the same records as JSON or logfmt, as --log-format says. */
const NGROK_RECORDS: Record<string, string>[] = [
  { lvl: "info", msg: "no configuration paths supplied" },
  { lvl: "info", msg: "starting web service", obj: "web", addr: "127.0.0.1:4040" },
  { lvl: "info", msg: "client session established", obj: "tunnels.session" },
  { lvl: "info", msg: "tunnel session started", obj: "tunnels.session" },
  { lvl: "info", msg: "started tunnel", obj: "tunnels", name: "command_line", addr: "ADDR", url: NGROK_URL },
];

export type StandInBehaviour = "works" | "exits-early" | "silent";

/** Whether the process with this pid is still running. */
export function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** The pid a stand-in logged, once it has started. */
export function pidOf(lines: string[]): number | undefined {
  const line = lines.find((entry) => entry.startsWith("pid "));
  return line === undefined ? undefined : Number(line.slice(4));
}

export interface StandIns {
  /** Put this first on PATH. */
  dir: string;
  /** What the named stand-in logged: its arguments, its pid, then "signal SIGTERM" (or SIGINT) when stopped. */
  log(program: "cloudflared" | "ngrok"): string[];
  cleanup(): void;
}

function script(program: "cloudflared" | "ngrok", behaviour: StandInBehaviour, logFile: string): string {
  return `#!${process.execPath}
const { appendFileSync } = require("node:fs");
const args = process.argv.slice(2);
const log = (line) => appendFileSync(${JSON.stringify(logFile)}, line + "\\n");
// The handlers come before the first line: a test that signals once it sees a line must not kill
// the stand-in by the default action before they are in place (seen on a loaded machine).
for (const signal of ["SIGTERM", "SIGINT"]) process.on(signal, () => { log("signal " + signal); process.exit(0); });
log("args " + JSON.stringify(args));
log("pid " + process.pid);
const program = ${JSON.stringify(program)};
const behaviour = ${JSON.stringify(behaviour)};
const stamp = () => new Date().toISOString().replace(/\\.\\d+Z$/, "Z");
setInterval(() => {}, 60_000);
if (behaviour === "exits-early") {
  if (program === "cloudflared") process.stderr.write(stamp() + ' ERR Error unmarshaling QuickTunnel response: error code: 1015 error="invalid character \\'e\\' looking for beginning of value" status_code="429 Too Many Requests"\\n');
  else process.stdout.write(JSON.stringify({ err: "authentication failed: Usage of ngrok requires a verified account and authtoken.\\n\\nSign up for an account: https://dashboard.ngrok.com/signup\\nInstall your authtoken: https://dashboard.ngrok.com/get-started/your-authtoken\\r\\n\\r\\nERR_NGROK_4018\\r\\n", lvl: "eror", msg: "failed to reconnect session", obj: "tunnels.session" }) + "\\n");
  setTimeout(() => process.exit(1), 50);
} else if (behaviour === "works") {
  setTimeout(() => {
    if (program === "cloudflared") {
      for (const line of ${JSON.stringify(CLOUDFLARED_LINES)}) process.stderr.write(stamp() + " " + line + "\\n");
    } else {
      const format = args[args.indexOf("--log-format") + 1];
      const addr = args[1];
      for (const record of ${JSON.stringify(NGROK_RECORDS)}) {
        const full = { ...record, t: stamp() };
        if (full.addr === "ADDR") full.addr = addr;
        const line = format === "json"
          ? JSON.stringify(full)
          : Object.entries(full).map(([k, v]) => k + "=" + (/\\s/.test(v) ? JSON.stringify(v) : v)).join(" ");
        process.stdout.write(line + "\\n");
      }
    }
  }, 100);
}
`;
}

export function standIns(behaviour: StandInBehaviour = "works"): StandIns {
  const dir = mkdtempSync(join(tmpdir(), "pinwheel-tunnel-stand-in-"));
  for (const program of ["cloudflared", "ngrok"] as const) {
    const file = join(dir, program);
    writeFileSync(file, script(program, behaviour, join(dir, `${program}.log`)));
    chmodSync(file, 0o755);
  }
  return {
    dir,
    log(program) {
      const file = join(dir, `${program}.log`);
      return existsSync(file) ? readFileSync(file, "utf8").split("\n").filter(Boolean) : [];
    },
    cleanup() {
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
