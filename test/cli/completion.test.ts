/**
 * The completion scripts, run in the real shells: bash by calling its completion function with
 * COMP_WORDS/COMP_CWORD set, fish through its own `complete -C`, zsh through its word walker and
 * dispatcher (compadd and friends stubbed: they only exist inside a live completion widget).
 * zsh and fish cases run where those shells are installed, and always in CI; their syntax is always string-checked.
 */
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { buildProgram } from "../../src/cli.js";
import { bashScript, completionModel, fishScript, zshScript } from "../../src/commands/completion.js";
import { EVENT_NAMES } from "../../src/events/catalog.js";
import { runCli, tempHome } from "../helpers/cli.js";

const model = completionModel(buildProgram());
const dir = mkdtempSync(join(tmpdir(), "pinwheel-cli-completion-"));
// A file for the file-completing options to find; the shells run with this directory as cwd.
writeFileSync(join(dir, "payload-body.json"), "{}");
const scripts = {
  bash: join(dir, "pinwheel-cli.bash"),
  zsh: join(dir, "_pinwheel-cli"),
  fish: join(dir, "pinwheel-cli.fish"),
};
writeFileSync(scripts.bash, bashScript(model));
writeFileSync(scripts.zsh, zshScript(model));
writeFileSync(scripts.fish, fishScript(model));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** CI installs zsh and fish (.ci/run), so there a missing shell fails its tests instead of skipping them. */
const inCi = Boolean(process.env.CI) && process.env.CI !== "false" && process.env.CI !== "0";

function installed(shell: string): boolean {
  return inCi || spawnSync(shell, ["-c", "exit 0"], { timeout: 5_000 }).status === 0;
}

function shell(command: string, args: string[]): string {
  const result = spawnSync(command, args, { cwd: dir, encoding: "utf8", timeout: 10_000 });
  expect(result.status, result.stderr).toBe(0);
  return result.stdout;
}

/** What bash completes for the words typed so far (the last one is the word under the cursor). */
function bashComplete(...words: string[]): string[] {
  const program = `source "${scripts.bash}"; COMP_WORDS=("$@"); COMP_CWORD=$(($# - 1)); _pinwheel_cli; printf '%s\\n' "\${COMPREPLY[@]}"`;
  return shell("bash", ["-c", program, "bash", "pinwheel-cli", ...words]).split("\n").filter(Boolean).sort();
}

/** What zsh offers (before its own prefix filtering), the word under the cursor last. */
function zshOffers(...words: string[]): string[] {
  const stubs = `
    compadd() { local -a out; while (( $# )); do case $1 in -a) shift; out+=("\${(@P)1}") ;; -S|-P) shift ;; --) shift; out+=("$@"); break ;; esac; shift; done; print -rl -- $out; }
    _describe() { print -rl -- "\${(@P)\${@[-1]}}"; }
    _files() { print -r -- "<files>"; }
    compset() { return 1; }`;
  const program = `${stubs}; source "${scripts.zsh}" 2>/dev/null; words=(pinwheel-cli "$@"); CURRENT=\${#words}; _pinwheel_cli`;
  return shell("zsh", ["-f", "-c", program, "zsh", ...words]).split("\n").filter(Boolean).map((line) => line.replace(/:.*$/, ""));
}

/** What fish completes for a command line (candidates only, descriptions dropped). */
function fishComplete(line: string): string[] {
  const program = `source "${scripts.fish}"; complete -C ${JSON.stringify(line)}`;
  return shell("fish", ["--no-config", "-c", program]).split("\n").filter(Boolean).map((entry) => entry.split("\t")[0]!).sort();
}

describe("the completion model", () => {
  it("has every command of the program, with its options and what their values are", () => {
    const paths = model.commands.map((command) => command.path);
    expect(paths).toEqual(expect.arrayContaining(["", "listen", "simulate", "events", "events list", "verify", "completion", "scenarios show"]));
    const simulate = model.commands.find((command) => command.path === "simulate")!;
    expect(simulate.argument).toBe("events");
    expect(simulate.options.find((option) => option.flags.includes("--outcome"))?.value).toBe("words:success error pending");
    expect(simulate.options.find((option) => option.flags.includes("--scenario"))?.value).toBe("scenarios");
    expect(simulate.options.find((option) => option.flags.includes("--json"))?.value).toBeUndefined();
    expect(model.commands.find((command) => command.path === "smoke")!.options.find((o) => o.flags.includes("--events"))?.value).toBe("event-list");
    expect(model.scenarios).toContain("at-least-once");
  });
});

describe("bash", () => {
  it("completes commands and subcommands", () => {
    expect(bashComplete("")).toEqual(expect.arrayContaining(["listen", "simulate", "verify", "completion", "events"]));
    expect(bashComplete("sim")).toEqual(["simulate"]);
    expect(bashComplete("events", "")).toEqual(["list", "prune", "show"]);
    expect(bashComplete("completion", "")).toEqual(["bash", "fish", "zsh"]);
  });

  it("completes options of the command typed, skipping option values on the way", () => {
    expect(bashComplete("events", "list", "--ev")).toEqual(["--event"]);
    expect(bashComplete("listen", "--port", "3000", "--js")).toEqual(["--json"]);
    expect(bashComplete("simulate", "--to", "http://x/", "--retry-b")).toEqual(["--retry-base"]);
  });

  it("completes event names, one or a comma list, scenarios, choices and files", () => {
    expect(bashComplete("simulate", "paystubs.fu")).toEqual(["paystubs.fully_synced"]);
    expect(bashComplete("fixtures", "show", "inc")).toEqual(["income.added"]);
    expect(bashComplete("config", "set", "api")).toEqual(["api-secret", "api-version"]);
    expect(bashComplete("config", "unset", "d")).toEqual(["db", "default-url"]);
    // --verdict is checked by the command (did-you-mean), yet its values are fixed words to offer.
    expect(bashComplete("events", "list", "--verdict", "")).toEqual(expect.arrayContaining(["verified", "failed", "bad_signature", "stale_timestamp"]));
    expect(bashComplete("replay", "--verdict", "st")).toEqual(["stale_timestamp"]);
    expect(bashComplete("events", "list", "--event", "shifts.fu")).toEqual(["shifts.fully_synced"]);
    expect(bashComplete("smoke", "--events", "account.added,paystubs.fu")).toEqual(["account.added,paystubs.fully_synced"]);
    expect(bashComplete("simulate", "--scenario", "at-")).toEqual(["at-least-once"]);
    expect(bashComplete("scenarios", "show", "pay")).toEqual(["payload-body.json", "paystubs-sync"]);
    expect(bashComplete("simulate", "--outcome", "")).toEqual(["error", "pending", "success"]);
    expect(bashComplete("verify", "--body", "payl")).toEqual(["payload-body.json"]);
    expect(bashComplete("simulate", "")).toHaveLength(EVENT_NAMES.length);
  });

  it("completes the Stripe-named aliases (trigger, resend) as the commands they stand for", () => {
    expect(bashComplete("tri")).toEqual(["trigger"]);
    expect(bashComplete("trigger", "inc")).toEqual(["income.added"]);
    expect(bashComplete("trigger", "--sce")).toEqual(["--scenario"]);
    expect(bashComplete("resend", "--verd")).toEqual(["--verdict"]);
  });

  it("handles --option=value, which bash splits at the =", () => {
    expect(bashComplete("simulate", "--scenario", "=", "at-")).toEqual(["at-least-once"]);
    expect(bashComplete("simulate", "--outcome", "=")).toEqual(["error", "pending", "success"]);
  });
});

describe.runIf(installed("zsh"))("zsh", () => {
  it("parses", () => {
    shell("zsh", ["-n", scripts.zsh]);
  });

  it("offers commands, options, event names, scenarios and choices for the command typed", () => {
    expect(zshOffers("")).toEqual(expect.arrayContaining(["listen", "simulate", "verify"]));
    expect(zshOffers("events", "")).toEqual(["list", "show", "prune"]);
    expect(zshOffers("events", "list", "--")).toEqual(expect.arrayContaining(["--event", "--verdict", "--json"]));
    expect(zshOffers("listen", "--port", "3000", "--")).toContain("--json");
    expect(zshOffers("simulate", "")).toEqual([...EVENT_NAMES]);
    expect(zshOffers("simulate", "--outcome", "")).toEqual(["success", "error", "pending"]);
    expect(zshOffers("simulate", "--scenario=at")).toEqual([...model.scenarios, "<files>"]);
    expect(zshOffers("smoke", "--events", "account.added,")).toEqual([...EVENT_NAMES]);
    expect(zshOffers("verify", "--body", "")).toEqual(["<files>"]);
    expect(zshOffers("trigger", "--outcome", "")).toEqual(["success", "error", "pending"]);
  });
});

describe.runIf(installed("fish"))("fish", () => {
  it("parses", () => {
    shell("fish", ["--no-config", "-n", scripts.fish]);
  });

  it("completes through fish's own engine", () => {
    expect(fishComplete("pinwheel-cli sim")).toEqual(["simulate"]);
    expect(fishComplete("pinwheel-cli events l")).toEqual(["list"]);
    expect(fishComplete("pinwheel-cli events list --ev")).toEqual(["--event"]);
    expect(fishComplete("pinwheel-cli simulate paystubs.fu")).toEqual(["paystubs.fully_synced"]);
    expect(fishComplete("pinwheel-cli simulate --outcome ")).toEqual(["error", "pending", "success"]);
    expect(fishComplete("pinwheel-cli smoke --events account.added,paystubs.fu")).toEqual(["account.added,paystubs.fully_synced"]);
    expect(fishComplete("pinwheel-cli scenarios show at")).toEqual(["at-least-once"]);
    expect(fishComplete("pinwheel-cli listen --port 3000 --js")).toEqual(["--json"]);
    expect(fishComplete("pinwheel-cli trigger inc")).toEqual(["income.added"]);
    expect(fishComplete("pinwheel-cli resend --verd")).toEqual(["--verdict"]);
  });
});

describe("the scripts as text (checked everywhere, shells installed or not)", () => {
  it("register the completion for pinwheel-cli and carry every event name", () => {
    const zsh = zshScript(model);
    const fish = fishScript(model);
    expect(zsh.startsWith("#compdef pinwheel-cli\n")).toBe(true);
    expect(zsh).toContain("compdef _pinwheel_cli pinwheel-cli");
    expect(fish).toContain("complete -c pinwheel-cli -n '__pinwheel_cli_at \\'\\'' -a simulate");
    expect(bashScript(model)).toContain("complete -F _pinwheel_cli pinwheel-cli");
    const words = (script: string) => new Set(script.split(/[\s()"]+/));
    expect(EVENT_NAMES.filter((name) => !words(zsh).has(name))).toEqual([]);
    expect(EVENT_NAMES.filter((name) => !words(fish).has(name))).toEqual([]);
  });
});

describe("pinwheel-cli completion (built binary)", () => {
  const home = tempHome();
  afterAll(() => home.cleanup());

  it("prints the script for the shell asked, and refuses another shell with exit 2", async () => {
    const bash = await runCli(["completion", "bash"], { env: home.env });
    expect(bash.code).toBe(0);
    expect(bash.stdout).toContain("complete -F _pinwheel_cli pinwheel-cli");
    expect(bash.stdout).toContain("paystubs.fully_synced");
    const other = await runCli(["completion", "powershell"], { env: home.env });
    expect(other.code).toBe(2);
    expect(other.stderr).toMatch(/^error: command-argument value 'powershell' is invalid for argument 'shell'\. Allowed choices are bash, zsh, fish\.\n$/);
  });
});
