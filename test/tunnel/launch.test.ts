/**
 * Starting a tunnel: the public URL read from the lines the real programs print, and the
 * program (a stand-in, really spawned) stopped on every way out.
 */
import { spawn } from "node:child_process";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { findOnPath, startTunnel, TunnelAbortedError, TunnelNotFoundError, TunnelStartError, type SpawnFunction } from "../../src/tunnel/launch.js";
import { publicUrlFrom } from "../../src/tunnel/public-url.js";
import { CLOUDFLARED_URL, isRunning, NGROK_URL, pidOf, standIns, type StandIns, type StandInBehaviour } from "../helpers/tunnel-stand-in.js";
import { waitUntil } from "../helpers/wait.js";

describe("publicUrlFrom", () => {
  it("reads cloudflared's quick-tunnel box, current and older, and nothing else it prints", () => {
    expect(publicUrlFrom("cloudflared", "2025-01-15T10:00:01Z INF |  https://seasonal-deck-organisms-sf.trycloudflare.com                                      |")).toBe(
      "https://seasonal-deck-organisms-sf.trycloudflare.com",
    );
    // Releases before the https:// prefix printed the bare host name in the box.
    expect(publicUrlFrom("cloudflared", "2021-03-01T10:00:01Z INF |  Seasonal-Deck.trycloudflare.com  |")).toBe("https://seasonal-deck.trycloudflare.com");
    expect(publicUrlFrom("cloudflared", "\u001b[32mINF\u001b[0m |  https://a-b.trycloudflare.com  |")).toBe("https://a-b.trycloudflare.com");
    // cloudflared --output json logs the same box rows as messages.
    expect(publicUrlFrom("cloudflared", '{"level":"info","time":"2025-01-15T10:00:01Z","message":"|  https://a-b.trycloudflare.com  |"}')).toBe("https://a-b.trycloudflare.com");
    for (const line of [
      "2025-01-15T10:00:00Z INF Requesting new quick Tunnel on trycloudflare.com...",
      "2025-01-15T10:00:01Z INF |  Your quick Tunnel has been created! Visit it at (it may take some time to be reachable):  |",
      '2025-01-15T10:00:00Z ERR failed to request quick Tunnel: Post "https://api.trycloudflare.com/tunnel": dial tcp: lookup api.trycloudflare.com: no such host',
      "2025-01-15T10:00:00Z INF Thank you for trying Cloudflare Tunnel ... https://developers.cloudflare.com/cloudflare-one/connections/connect-networks",
    ]) {
      expect(publicUrlFrom("cloudflared", line)).toBeUndefined();
    }
  });

  it("reads ngrok v3's started-tunnel record in JSON and logfmt, https only", () => {
    expect(
      publicUrlFrom("ngrok", '{"addr":"http://127.0.0.1:3000","lvl":"info","msg":"started tunnel","name":"command_line","obj":"tunnels","t":"2025-01-15T10:00:00Z","url":"https://1a2b.ngrok-free.app"}'),
    ).toBe("https://1a2b.ngrok-free.app");
    expect(
      publicUrlFrom("ngrok", 't=2025-01-15T10:00:00+0000 lvl=info msg="started tunnel" obj=tunnels name=command_line addr=http://127.0.0.1:3000 url=https://1a2b.ngrok-free.dev'),
    ).toBe("https://1a2b.ngrok-free.dev");
    for (const line of [
      '{"lvl":"info","msg":"starting web service","obj":"web","addr":"127.0.0.1:4040"}',
      // ngrok v2 opened an http:// tunnel beside the https:// one: never that.
      't=2021-07-26T17:51:15+0000 lvl=info msg="started tunnel" obj=tunnels name="command_line (http)" addr=http://localhost:3000 url=http://29171f519f0a.ngrok.io',
      'lvl=info msg="tunnel session started" obj=tunnels.session',
      "{not json",
    ]) {
      expect(publicUrlFrom("ngrok", line)).toBeUndefined();
    }
  });
});

describe("startTunnel with a stand-in program", () => {
  let fakes: StandIns | undefined;
  afterEach(() => {
    fakes?.cleanup();
    fakes = undefined;
  });

  function spawnFrom(behaviour: StandInBehaviour): SpawnFunction {
    fakes = standIns(behaviour);
    const dir = fakes.dir;
    return (command, args, options) => spawn(join(dir, command), args, options);
  }

  it("starts cloudflared for listen's address, reads its URL, and stops it with SIGTERM", async () => {
    const tunnel = await startTunnel({ program: "cloudflared", localUrl: "http://127.0.0.1:4321", spawn: spawnFrom("works"), timeoutMs: 10_000 });
    expect(tunnel.publicUrl).toBe(CLOUDFLARED_URL);
    expect(fakes!.log("cloudflared")[0]).toBe(`args ${JSON.stringify(["tunnel", "--no-autoupdate", "--url", "http://127.0.0.1:4321"])}`);
    await tunnel.stop();
    expect(fakes!.log("cloudflared")).toContain("signal SIGTERM");
    expect(await tunnel.exited).toEqual({ code: 0, signal: null });
  });

  it("starts ngrok with JSON logs on stdout and reads the started tunnel's URL", async () => {
    const tunnel = await startTunnel({ program: "ngrok", localUrl: "http://127.0.0.1:4321", spawn: spawnFrom("works"), timeoutMs: 10_000 });
    expect(tunnel.publicUrl).toBe(NGROK_URL);
    expect(fakes!.log("ngrok")[0]).toBe(`args ${JSON.stringify(["http", "http://127.0.0.1:4321", "--log", "stdout", "--log-format", "json"])}`);
    await tunnel.stop();
    expect(fakes!.log("ngrok")).toContain("signal SIGTERM");
  });

  it("says what the program said when it exits before printing a URL", async () => {
    const error = await startTunnel({ program: "ngrok", localUrl: "http://127.0.0.1:4321", spawn: spawnFrom("exits-early"), timeoutMs: 10_000 }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TunnelStartError);
    expect((error as TunnelStartError).message).toBe("ngrok exited (code 1) before printing its public URL");
    expect((error as TunnelStartError).lines.at(-1)).toContain("ERR_NGROK_4018");
  });

  it("gives up after the timeout and stops the program", async () => {
    const error = await startTunnel({ program: "cloudflared", localUrl: "http://127.0.0.1:4321", spawn: spawnFrom("silent"), timeoutMs: 1_500 }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TunnelStartError);
    expect((error as Error).message).toBe("cloudflared printed no public URL within 2 s");
    // Stopped before the promise settled (on a busy machine it may not have got as far as its signal handler).
    const pid = pidOf(fakes!.log("cloudflared"));
    if (pid !== undefined) expect(isRunning(pid)).toBe(false);
  });

  it("stops the program when listen is stopped while the tunnel is starting", async () => {
    const abort = new AbortController();
    const starting = startTunnel({ program: "cloudflared", localUrl: "http://127.0.0.1:4321", spawn: spawnFrom("silent"), timeoutMs: 30_000, signal: abort.signal });
    await waitUntil(() => fakes!.log("cloudflared").length > 0, 10_000);
    abort.abort();
    await expect(starting).rejects.toBeInstanceOf(TunnelAbortedError);
    expect(fakes!.log("cloudflared")).toContain("signal SIGTERM");
  });

  it("reports a program that is not installed", async () => {
    fakes = standIns("works");
    const missing: SpawnFunction = (command, args, options) => spawn(join(fakes!.dir, "missing", command), args, options);
    await expect(startTunnel({ program: "ngrok", localUrl: "http://127.0.0.1:4321", spawn: missing, timeoutMs: 5_000 })).rejects.toBeInstanceOf(TunnelNotFoundError);
  });

  it("findOnPath finds an executable in the PATH directories, in order", () => {
    fakes = standIns("works");
    expect(findOnPath("cloudflared", [join(fakes.dir, "nothing-here"), fakes.dir])).toBe(join(fakes.dir, "cloudflared"));
    expect(findOnPath("cloudflared", [join(fakes.dir, "nothing-here")])).toBeUndefined();
  });
});
