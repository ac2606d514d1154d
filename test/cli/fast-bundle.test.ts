import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, relative } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { CLI_PATH, REPO_ROOT, tempHome } from "../helpers/cli.js";
import { VERSION } from "../../src/version.js";

/**
 * bin/pinwheel-cli.cjs runs the fast commands from the CommonJS bundle in dist/fast/
 * (scripts/bundle-fast.js) and everything else from the ES module program. A preloaded probe
 * lists the CommonJS files each process loaded: the bundle's entry and what it needs to decide
 * (the same set for --version and for a command it hands on), plus the chunks of a command it runs.
 */
const work = mkdtempSync(join(tmpdir(), "pinwheel-cli-bundle-"));
const home = tempHome();
afterAll(() => {
  rmSync(work, { recursive: true, force: true });
  home.cleanup();
});

const probe = join(work, "probe.cjs");
writeFileSync(
  probe,
  [
    // process.stdin is built on first touch: the probe notes the touch.
    `const stdin = Object.getOwnPropertyDescriptor(process, "stdin"); let stdinTouched = false;`,
    `Object.defineProperty(process, "stdin", { ...stdin, get() { stdinTouched = true; return stdin.get.call(process); } });`,
    `process.on("exit", () => require("node:fs").writeFileSync(process.env.PROBE_OUT, JSON.stringify({ stdinTouched, files: Object.keys(require.cache), builtins: process.moduleLoadList.filter((name) => name.startsWith("NativeModule ")).map((name) => name.slice(13)) })));`,
  ].join("\n"),
);

let runs = 0;
/** The command's exit code and stdout, the files it loaded as CommonJS (bin/ and native addons aside), and Node's built-in modules it loaded. */
function loadedBy(args: string[]): { code: number | null; stdout: string; files: string[]; builtins: string[]; stdinTouched: boolean } {
  const out = join(work, `loaded-${++runs}.json`);
  const result = spawnSync(process.execPath, ["-r", probe, CLI_PATH, ...args], { cwd: REPO_ROOT, env: { ...home.env, PROBE_OUT: out }, encoding: "utf8", timeout: 15_000 });
  const loaded = JSON.parse(readFileSync(out, "utf8")) as { files: string[]; builtins: string[]; stdinTouched: boolean };
  const files = loaded.files
    .map((file) => relative(REPO_ROOT, file))
    .filter((file) => !file.endsWith(".node") && file !== "bin/pinwheel-cli.cjs" && file !== relative(REPO_ROOT, probe));
  return { code: result.status, stdout: result.stdout, files, builtins: loaded.builtins, stdinTouched: loaded.stdinTouched };
}

describe("the fast commands' bundle", () => {
  const entry = loadedBy(["--version"]);

  it("answers --version from its entry, which loads nothing outside dist/fast/", () => {
    expect(entry.code).toBe(0);
    expect(entry.stdout).toBe(`${VERSION}\n`);
    expect(entry.files).toContain("dist/fast/start.cjs");
    expect(entry.files.every((file) => file.startsWith("dist/fast/") && file.endsWith(".cjs"))).toBe(true);
  });

  it("runs `events list` and `fixtures show` from its own chunks, with nothing outside dist/fast/ (SQLite's JavaScript included, the fixtures found from there)", () => {
    const list = loadedBy(["events", "list", "--json"]);
    expect(list.code).toBe(0);
    expect(JSON.parse(list.stdout)).toEqual([]);
    const fixture = loadedBy(["fixtures", "show", "paystubs.added", "--json"]);
    expect(fixture.code).toBe(0);
    expect(JSON.parse(fixture.stdout)).toMatchObject({ event: "paystubs.added" });
    // Printing a fixture loads no store code (chunks are named after their first module).
    expect(fixture.files.filter((file) => /\/(database|migrations|requests)-/.test(file))).toEqual([]);
    expect(list.files.filter((file) => /\/(database|migrations|requests)-/.test(file))).not.toEqual([]);
    for (const { files } of [list, fixture]) {
      expect(files.every((file) => file.startsWith("dist/fast/") && file.endsWith(".cjs"))).toBe(true);
      expect(files.length).toBeGreaterThan(entry.files.length);
      expect(files).toEqual(expect.arrayContaining(entry.files));
    }
  });

  it("reads the store for `events list` without loading node:crypto (7 ms of a one-shot's CPU on Node 24): naming a signature header does not load the HMAC", () => {
    for (const args of [["events", "list", "--json"], ["events", "list", "--verdict", "failed", "--json"]]) {
      const { code, builtins } = loadedBy(args);
      expect(code).toBe(0);
      expect(builtins).toContain("fs");
      expect(builtins).not.toContain("crypto");
    }
  });

  it("never builds stdin's stream, and times a send without loading perf_hooks (a prompt reads stdin; a one-shot pays for what it loads)", () => {
    // Port 1 refuses the connection: the attempt is made, timed and recorded all the same.
    const runs = [loadedBy(["events", "list", "--json"]), loadedBy(["fixtures", "show", "paystubs.added", "--json"]), loadedBy(["simulate", "paystubs.added", "--to", "http://127.0.0.1:1/", "--secret", "probe-secret"])];
    expect(runs.map(({ code }) => code)).toEqual([0, 0, 1]);
    for (const { stdinTouched, builtins } of runs) {
      expect(stdinTouched).toBe(false);
      expect(builtins).not.toContain("perf_hooks");
    }
    expect(runs[2]!.builtins).toContain("http");
  });

  it("hands every other command line to the ES module program having loaded only its entry", () => {
    const { code, stdout, files } = loadedBy(["scenarios", "list", "--json"]);
    expect(code).toBe(0);
    expect(Array.isArray(JSON.parse(stdout))).toBe(true);
    expect(files.filter((file) => file.startsWith("dist/")).sort()).toEqual([...entry.files].sort());
  });
});
