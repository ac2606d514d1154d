/**
 * SLOW (spawns the built CLI; about 20-60 s): "every output below is real" stays true. Every
 * ```console block of the README and docs/ is read; each `$ pinwheel-cli ...` command that can run
 * offline is run (the built CLI, a temp PINWHEEL_HOME per page, colours off, stderr and stdout in
 * order) and its output compared with the block's, after normalising what changes between runs:
 * ids, times, durations, rates, temp paths. In an expected output, a line "..." stands for any
 * number of lines and a line ending in "..." for any line that starts with what precedes it.
 * Commands that need something this machine has no business reaching (Pinwheel's API, your app on
 * :8080, a file of yours, a long-running listen or mock) are not run; the count is asserted so a
 * page cannot silently drop out. Relative links in the same pages must resolve.
 *
 * A block right after a line `<!-- console: not run (why) -->` is not run: its output needs a
 * history this test cannot replay (a forged request, an app on another port); say why.
 * PINWHEEL_UPDATE_DOCS=1 rewrites a differing output in the page with what the tool printed (then
 * put back any "..." elisions by hand and read the diff).
 *
 * Per page, commands pointing at 127.0.0.1:3000 (the default URL) reach a real `listen` on port 3000
 * in that page's temp home; if the port is taken, those commands are skipped with a note.
 */
import { spawn } from "node:child_process";
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { CLI_PATH, REPO_ROOT, startListen, type Listener } from "../helpers/cli.js";

/** Pages linked from the README that other work in progress is writing; a link to them may dangle until it lands. */

const PAGES = ["README.md", ...readdirSync(join(REPO_ROOT, "docs")).filter((name) => name.endsWith(".md")).map((name) => `docs/${name}`)];

interface Command {
  page: string;
  line: number;
  command: string;
  expected: string[];
  /** Set when the block is marked `<!-- console: not run (why) -->`. */
  notRun?: string;
}

const UPDATE = Boolean(process.env.PINWHEEL_UPDATE_DOCS);

function consoleCommands(page: string): Command[] {
  const lines = readFileSync(join(REPO_ROOT, page), "utf8").split("\n");
  const commands: Command[] = [];
  let inBlock = false;
  let current: Command | undefined;
  let blockNotRun: string | undefined;
  lines.forEach((text, index) => {
    if (!inBlock && text.trim() === "```console") {
      inBlock = true;
      blockNotRun = /<!-- console: not run \((.+)\) -->/.exec(lines[index - 1] ?? "")?.[1];
      return;
    }
    if (inBlock && text.trim() === "```") {
      inBlock = false;
      current = undefined;
      return;
    }
    if (!inBlock) return;
    if (text.startsWith("$ ")) {
      current = { page, line: index + 1, command: text.slice(2).replace(/\s+#.*$/, ""), expected: [], notRun: blockNotRun };
      commands.push(current);
    } else if (current) {
      current.expected.push(text);
    }
  });
  for (const command of commands) {
    while (command.expected.length > 0 && command.expected.at(-1)!.trim() === "") command.expected.pop();
  }
  return commands;
}

/** Why a command is not run here, or undefined when it is. */
function notRunnable({ command, notRun }: Command): string | undefined {
  if (notRun) return notRun;
  if (!/^(?:[A-Z_]+=\S+ )*pinwheel-cli\s/.test(command)) return "not a pinwheel-cli command";
  if (/[|<>;&`]|\$/.test(command)) return "uses the shell (pipes, redirections, variables)";
  if (/pinwheel-cli (listen|mock)\b/.test(command)) return "runs until stopped";
  if (/localhost:8080|127\.0\.0\.1:8080|127\.0\.0\.1:4010/.test(command)) return "needs your app or a mock on another port";
  if (/--env (sandbox|development|production)|PINWHEEL_ENV=(sandbox|development|production)|--base-url/.test(command)) return "talks to a Pinwheel API";
  if (/--body |--data |--scenario \S+\.json|\bcompletion\b/.test(command)) return "needs a file of yours";
  return undefined;
}

function normalise(text: string, home: string, port: number): string {
  return text
    .split(join(home, "data")).join("~/.local/share/pinwheel-cli")
    .split(join(home, "config")).join("~/.config/pinwheel-cli")
    .replace(/\/home\/[a-z]+\//g, "~/")
    .replace(new RegExp(`127\\.0\\.0\\.1:${port}\\b`, "g"), "127.0.0.1:3000")
    .replace(/[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/g, "<uuid>")
    .replace(/\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z/g, "<iso>")
    .replace(/\d{4}-\d\d-\d\d \d\d:\d\d(:\d\d)?/g, "<datetime>")
    .replace(/\b\d\d:\d\d:\d\d\b/g, "<time>")
    .replace(/\b\d+(\.\d+)? (ms|s)\b/g, "<duration>")
    .replace(/\(\d+(\.\d+)?\/s\)/g, "(<rate>)")
    .replace(/[ \t]+/g, " ")
    .trimEnd();
}

function matches(actual: string[], expected: string[]): boolean {
  const step = (a: number, e: number): boolean => {
    if (e === expected.length) return a === actual.length;
    const want = expected[e]!;
    if (want.trim() === "...") {
      for (let skip = a; skip <= actual.length; skip++) if (step(skip, e + 1)) return true;
      return false;
    }
    if (a === actual.length) return false;
    const got = actual[a]!;
    const ok = want.endsWith("...") ? got.startsWith(want.slice(0, -3).trimEnd()) : got === want;
    return ok && step(a + 1, e + 1);
  };
  return step(0, 0);
}

function runShell(command: string, env: NodeJS.ProcessEnv, cwd: string): Promise<string> {
  return new Promise((resolvePromise, reject) => {
    const withCli = command.replace(/pinwheel-cli /, `"${process.execPath}" "${CLI_PATH}" `);
    const child = spawn("sh", ["-c", `${withCli} 2>&1`], { env, cwd, stdio: ["ignore", "pipe", "pipe"] });
    let output = "";
    child.stdout.on("data", (chunk: Buffer) => (output += chunk.toString("utf8")));
    const timer = setTimeout(() => child.kill("SIGKILL"), 60_000);
    child.once("error", reject);
    child.once("close", () => {
      clearTimeout(timer);
      resolvePromise(output);
    });
  });
}

function portIsFree(port: number): Promise<boolean> {
  return new Promise((resolvePromise) => {
    const server = createServer();
    server.once("error", () => resolvePromise(false));
    server.listen(port, "127.0.0.1", () => server.close(() => resolvePromise(true)));
  });
}

/** PINWHEEL_UPDATE_DOCS: each command's expected lines become what the tool printed. */
function rewrite(page: string, updates: { command: Command; printed: string }[]): void {
  const path = join(REPO_ROOT, page);
  const lines = readFileSync(path, "utf8").split("\n");
  // Bottom up, so earlier line numbers stay right.
  for (const { command, printed } of [...updates].sort((a, b) => b.command.line - a.command.line)) {
    lines.splice(command.line, command.expected.length, ...(printed ? printed.split("\n") : []));
  }
  writeFileSync(path, lines.join("\n"));
}

const homes: string[] = [];
afterAll(() => {
  for (const home of homes) rmSync(home, { recursive: true, force: true });
});

describe("console blocks in the README and docs/ are real output", { timeout: 240_000 }, () => {
  const all = PAGES.flatMap(consoleCommands);

  it("runs most of them (a page cannot drop out unnoticed)", () => {
    const runnable = all.filter((command) => !notRunnable(command));
    expect(runnable.length).toBeGreaterThanOrEqual(12);
  });

  for (const page of PAGES) {
    const commands = consoleCommands(page).filter((command) => !notRunnable(command));
    if (commands.length === 0) continue;
    it(`${page}: ${commands.length} commands print what the page shows`, async (context) => {
      const home = mkdtempSync(join(tmpdir(), "pinwheel-cli-docs-"));
      homes.push(home);
      const env: NodeJS.ProcessEnv = { ...process.env, PINWHEEL_HOME: home, NO_COLOR: "1", COLUMNS: "200" };
      for (const name of ["PINWHEEL_API_SECRET", "PINWHEEL_CLI_DB", "PINWHEEL_ENV", "PINWHEEL_BASE_URL", "FORCE_COLOR", "CI"]) delete env[name];
      let listener: Listener | undefined;
      const updates: { command: Command; printed: string }[] = [];
      const skipped: string[] = [];
      const failures: string[] = [];
      try {
        let portTaken = false;
        for (const command of commands) {
          // A page's commands build on the ones before (events list shows what simulate sent).
          if (portTaken) {
            skipped.push(`${page}:${command.line} (after one not run)`);
            continue;
          }
          const needsListener = /127\.0\.0\.1:3000/.test(command.command) || /pinwheel-cli (simulate|replay|smoke)\b/.test(command.command);
          if (needsListener && !listener) {
            if (!(await portIsFree(3000))) {
              skipped.push(`${page}:${command.line} (port 3000 is taken)`);
              portTaken = true;
              continue;
            }
            // startListen passes --port 0 first; the later --port wins.
            listener = await startListen(["--port", "3000"], env, 60_000);
          }
          const output = await runShell(command.command, env, REPO_ROOT);
          const actual = normalise(output, home, listener?.port ?? 3000).split("\n");
          while (actual.length > 0 && actual.at(-1) === "") actual.pop();
          const expected = command.expected.map((line) => normalise(line, home, 3000));
          if (!matches(actual, expected)) {
            if (UPDATE) updates.push({ command, printed: output.split(join(home, "data")).join("/home/you/.local/share/pinwheel-cli").split(join(home, "config")).join("/home/you/.config/pinwheel-cli").replace(new RegExp(`127\\.0\\.0\\.1:${listener?.port ?? 3000}\\b`, "g"), "127.0.0.1:3000").trimEnd() });
            failures.push(`${page}:${command.line} $ ${command.command}\n--- the page shows\n${expected.join("\n")}\n--- the tool printed\n${actual.join("\n")}`);
          }
        }
      } finally {
        await listener?.stop();
      }
      if (UPDATE && updates.length > 0) rewrite(page, updates);
      if (skipped.length > 0) await context.annotate(`not run: ${skipped.join(", ")}`);
      expect(failures.join("\n\n")).toBe("");
    });
  }
});

describe("links in the README and docs/", () => {
  it("every relative link points at a file in the repository", () => {
    const broken: string[] = [];
    for (const page of PAGES) {
      const text = readFileSync(join(REPO_ROOT, page), "utf8");
      for (const match of text.matchAll(/\]\(([^)\s]+)\)/g)) {
        const target = match[1]!.split("#")[0]!;
        if (!target || /^[a-z]+:/.test(target)) continue;
        const path = resolve(REPO_ROOT, dirname(page), target);
        if (!path.startsWith(REPO_ROOT)) broken.push(`${page}: ${match[1]} leaves the repository`);
        else if (!existsSync(path)) broken.push(`${page}: ${match[1]} does not exist`);
      }
    }
    expect(broken).toEqual([]);
  });

  it("the README front page stays short", () => {
    expect(readFileSync(join(REPO_ROOT, "README.md")).length).toBeLessThan(12 * 1024);
  });
});
