/**
 * What listen (the BUILT binary) says at start-up on stderr, in words: the forward line and the
 * --skip-verify warning say what really happens to the requests.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { afterEach, describe, expect, it } from "vitest";
import { CLI_PATH, REPO_ROOT } from "../../helpers/cli.js";
import { useListenRuns } from "../../helpers/listen-runs.js";

const run = useListenRuns();
let plain: ChildProcess | undefined;

// Registered after useListenRuns, so it runs first: the plain listen is gone before its home is removed.
afterEach(async () => {
  if (plain && plain.exitCode === null) {
    const exited = new Promise((resolve) => plain!.once("exit", resolve));
    plain.kill("SIGKILL");
    await exited;
  }
  plain = undefined;
});

/** Starts `listen --port 0 ...args` with human output and resolves with its stderr once it says it is ready. */
function startPlainListen(args: string[], env: NodeJS.ProcessEnv): Promise<string> {
  const child = spawn(process.execPath, [CLI_PATH, "listen", "--port", "0", "--no-ui", ...args], { cwd: REPO_ROOT, env, stdio: ["ignore", "pipe", "pipe"] });
  plain = child;
  let stderr = "";
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`listen was not ready in time; stderr: ${stderr}`)), 10_000);
    child.stderr!.on("data", (chunk: Buffer) => {
      stderr += chunk.toString("utf8");
      if (stderr.includes("Press Ctrl+C")) {
        clearTimeout(timer);
        resolve(stderr);
      }
    });
    child.once("exit", (code) => reject(new Error(`listen exited (${code}); stderr: ${stderr}`)));
  });
}

describe("listen's start-up lines", () => {
  it("forwards verified events, when signatures are checked", async () => {
    const home = run.tempHome();
    const app = await run.startApp();
    const stderr = await startPlainListen(["--secret", "banner-secret", "--forward-to", app.url], home.env);
    expect(stderr).toContain(`Forwarding verified events to ${app.url} (answering 200 once stored)`);
    expect(stderr).not.toContain("--skip-verify");
  });

  it("--skip-verify: the forward line does not call the events verified, and one warning says it is signatures, not TLS certificates", async () => {
    const home = run.tempHome();
    const app = await run.startApp();
    const stderr = await startPlainListen(["--skip-verify", "--secret", "banner-secret", "--forward-to", app.url], home.env);
    expect(stderr).not.toContain("verified events");
    expect(stderr).toContain(`Forwarding events, unverified but re-signed, to ${app.url} (answering 200 once stored)`);
    const warnings = stderr.split("\n").filter((line) => line.startsWith("warning:"));
    expect(warnings).toEqual(["warning: --skip-verify: signatures are not checked (unlike the Stripe CLI's --skip-verify, which skips TLS certificate checks)"]);
  });
});
