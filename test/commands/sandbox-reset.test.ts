/**
 * `sandbox reset` deletes every sandbox account and Link token, so it confirms as `events prune`
 * does: a question on a terminal, --yes anywhere else. In-process against the local sandbox (a
 * real SQLite file); the terminal is faked by a stdin stream that says it is a TTY and types.
 */
import { PassThrough } from "node:stream";
import { afterEach, describe, expect, it } from "vitest";
import { tempHome, type TempHome } from "../helpers/cli.js";
import { expectExit, expectOneLineError } from "../helpers/delivery-cli.js";
import { runInProcess } from "../helpers/in-process.js";

let home: TempHome | undefined;
let restoreTerminal: (() => void) | undefined;
afterEach(() => {
  restoreTerminal?.();
  restoreTerminal = undefined;
  home?.cleanup();
  home = undefined;
});

/** CI unset: whether a question is asked depends on the terminal alone. */
const env = () => ({ ...home!.env, CI: "" });
const run = (args: string[]) => runInProcess(args, { env: env() });

async function withAccount(): Promise<string> {
  home = tempHome();
  const connected = await run(["sandbox", "connect", "--jobs", "identity", "--seed", "7", "--json"]);
  expectExit(connected, 0);
  return (JSON.parse(connected.stdout) as { account_id: string }).account_id;
}

async function accountIds(): Promise<string[]> {
  const listed = await run(["sandbox", "accounts", "--json"]);
  expectExit(listed, 0);
  return (JSON.parse(listed.stdout) as { id: string }[]).map((account) => account.id);
}

/** stdin and stderr say they are a terminal; what is typed once the question is up is `keys`. */
function fakeTerminal(keys: string): void {
  const stdin = Object.assign(new PassThrough(), { isTTY: true });
  const stdinWas = Object.getOwnPropertyDescriptor(process, "stdin")!;
  const stderrWas = Object.getOwnPropertyDescriptor(process.stderr, "isTTY");
  Object.defineProperty(process, "stdin", { value: stdin, configurable: true });
  Object.defineProperty(process.stderr, "isTTY", { value: true, configurable: true });
  const typing = setInterval(() => {
    // The question listens for keys once it is drawn: type when something reads stdin.
    if (stdin.listenerCount("keypress") > 0) {
      clearInterval(typing);
      stdin.write(keys);
    }
  }, 20);
  restoreTerminal = () => {
    clearInterval(typing);
    Object.defineProperty(process, "stdin", stdinWas);
    if (stderrWas) Object.defineProperty(process.stderr, "isTTY", stderrWas);
    else delete (process.stderr as { isTTY?: boolean }).isTTY;
  };
}

describe("sandbox reset", () => {
  it("off a terminal asks for --yes, with --json too, and deletes nothing", async () => {
    const accountId = await withAccount();
    for (const args of [[], ["--json"]]) {
      const refused = await run(["sandbox", "reset", ...args]);
      expectExit(refused, 2);
      expect(refused.stdout).toBe("");
      expect(expectOneLineError(refused.stderr)).toMatch(/this deletes 1 sandbox account and every Link token in .*; confirm with --yes/);
    }
    expect(await accountIds()).toEqual([accountId]);
  });

  it("--yes deletes without asking", async () => {
    await withAccount();
    const reset = await run(["sandbox", "reset", "--yes", "--json"]);
    expectExit(reset, 0);
    expect(JSON.parse(reset.stdout)).toEqual({ deleted_accounts: 1, deleted_link_tokens: 0 });
    expect(await accountIds()).toEqual([]);
  });

  it("on a terminal asks first: no keeps every account, yes deletes them", async () => {
    const accountId = await withAccount();
    fakeTerminal("n\r");
    const kept = await run(["sandbox", "reset"]);
    restoreTerminal!();
    expectExit(kept, 0);
    expect(kept.stderr).toMatch(/Delete 1 sandbox account and every Link token in .* \(webhooks stay\)\? No/s);
    expect(kept.stderr).toContain("Nothing was deleted.");
    expect(await accountIds()).toEqual([accountId]);

    fakeTerminal("y\r");
    const deleted = await run(["sandbox", "reset"]);
    restoreTerminal!();
    expectExit(deleted, 0);
    expect(deleted.stdout).toMatch(/^Deleted 1 sandbox account and 0 Link tokens from .*; webhooks are kept\.\n$/);
    expect(await accountIds()).toEqual([]);
  });
});
