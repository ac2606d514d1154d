/** How `listen` (the BUILT binary) mounts the inspector: the printed address, and --no-ui. */
import { spawn, type ChildProcess } from "node:child_process";
import { request } from "undici";
import { afterEach, describe, expect, it } from "vitest";
import { CLI_PATH, REPO_ROOT, runCli } from "../helpers/cli.js";
import { useListenRuns } from "../helpers/listen-runs.js";

const run = useListenRuns();
let plain: ChildProcess | undefined;

// Registered after useListenRuns, so it runs first (vitest runs after-each hooks last-registered first): the plain
// listen is gone before its home is removed.
afterEach(async () => {
  if (plain && plain.exitCode === null) {
    const exited = new Promise((resolve) => plain!.once("exit", resolve));
    plain.kill("SIGKILL");
    await exited;
  }
  plain = undefined;
});

/** Starts `listen --port 0` with human output and resolves with its stderr once it says it is ready. */
function startPlainListen(env: NodeJS.ProcessEnv): Promise<string> {
  const child = spawn(process.execPath, [CLI_PATH, "listen", "--port", "0"], { cwd: REPO_ROOT, env, stdio: ["ignore", "pipe", "pipe"] });
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

describe("listen and its inspector page", () => {
  it("prints the page's address at start-up, in words and in the JSON ready line", async () => {
    const home = run.tempHome();
    const stderr = await startPlainListen(home.env);
    const receiver = /receiving Pinwheel webhooks at (http:\/\/127\.0\.0\.1:\d+\/)/.exec(stderr)?.[1];
    expect(receiver, stderr).toBeDefined();
    expect(stderr).toContain(`Inspector: ${receiver}_/`);
    const page = await request(`${receiver}_/`);
    expect(page.statusCode).toBe(200);
    expect(await page.body.text()).toContain('name="pinwheel-inspector-token"');

    const listener = await run.startListen([], home.env);
    expect(listener.ready.inspector_url).toBe(`${listener.url}_/`);
  });

  it("--no-ui serves no page: /_/ is then a webhook path like any other", async () => {
    const home = run.tempHome();
    const listener = await run.startListen(["--no-ui"], home.env);
    expect(listener.ready.inspector_url).toBeNull();
    const answer = await request(`${listener.url}_/`);
    await answer.body.text();
    expect(answer.statusCode).toBe(405);
    const stored = JSON.parse((await runCli(["events", "list", "--json"], { env: home.env })).stdout) as { method: string; path: string }[];
    expect(stored).toMatchObject([{ method: "GET", path: "/_/" }]);
  });
});
