/** Every option that takes a secret refuses an empty one, before any work (in-process: these are argv checks). */
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { tempHome, type TempHome } from "../helpers/cli.js";
import { runInProcess } from "../helpers/in-process.js";
import { expectExit, expectOneLineError } from "../helpers/delivery-cli.js";

let home: TempHome | undefined;
afterEach(() => {
  home?.cleanup();
  home = undefined;
});

describe("a --secret that cannot be one", () => {
  it("is a usage error wherever a secret is taken, instead of a silent fall-back to the built-in secret", async () => {
    home = tempHome();
    const unreachable = "http://127.0.0.1:9/";
    for (const args of [
      ["listen", "--port", "0", "--secret", ""],
      ["listen", "--port", "0", "--forward-to", unreachable, "--forward-secret", " "],
      ["simulate", "income.added", "--to", unreachable, "--secret", ""],
      ["replay", "--all", "--to", unreachable, "--secret", ""],
      ["smoke", "--to", unreachable, "--secret", ""],
      ["verify", "1", "--secret", ""],
      ["webhooks", "list", "--secret", ""],
      ["mock", "--port", "0", "--secret", ""],
    ]) {
      const result = await runInProcess(args, { env: home.env });
      expectExit(result, 2);
      const forward = args.includes("--forward-secret");
      expect(expectOneLineError(result.stderr), args.join(" ")).toMatch(
        forward ? /^error: --forward-secret is empty .* leave --forward-secret out to use the listener's own secret$/ : /^error: --secret is empty \(an unset variable\?\); .* to use PINWHEEL_API_SECRET$/,
      );
    }
  });

  it("with a line break in it is a usage error too, not a connection error later", async () => {
    home = tempHome();
    const result = await runInProcess(["webhooks", "list", "--env", "local", "--secret", "abc\n"], { env: home.env });
    expectExit(result, 2);
    expect(expectOneLineError(result.stderr)).toBe("error: --secret contains a line break or another control character; was it pasted from a file?");
  });
});

describe("an empty PINWHEEL_API_SECRET", () => {
  it("is a usage error, as CI passes it when the secret it names is missing, instead of signing with the built-in secret", async () => {
    home = tempHome();
    const result = await runInProcess(["simulate", "income.added", "--to", "http://127.0.0.1:9/"], { env: { ...home.env, PINWHEEL_API_SECRET: "" } });
    expectExit(result, 2);
    expect(expectOneLineError(result.stderr)).toBe(
      "error: PINWHEEL_API_SECRET is set but empty (a missing CI secret?); set it to your API secret, or unset it",
    );
  });
});

describe("a PINWHEEL_API_SECRET or config file api-secret with a line break in it", () => {
  it("is used, as a handler given the same would use it, with a warning that a handler given the secret without it will not agree", async () => {
    home = tempHome();
    // What a secret read from a file keeps at its end (echo "..." > file, a Kubernetes secret).
    const result = await runInProcess(["simulate", "income.added", "--to", "http://127.0.0.1:9/"], { env: { ...home.env, PINWHEEL_API_SECRET: "sk_from_a_file\n" } });
    expectExit(result, 1);
    const warning =
      "warning: PINWHEEL_API_SECRET ends with a line break or holds another control character: what it signs or verifies will not match a handler given the secret without it (read from a file with its newline?)";
    expect(result.stderr.split("\n")).toContain(warning);
    expect(result.stderr).not.toContain("sk_from_a_file");

    mkdirSync(join(home.home, "config"), { recursive: true });
    writeFileSync(join(home.home, "config", "config.json"), JSON.stringify({ "api-secret": "sk_from_a_file\r\n" }));
    const configured = await runInProcess(["simulate", "income.added", "--to", "http://127.0.0.1:9/"], { env: home.env });
    expectExit(configured, 1);
    expect(configured.stderr).toContain("warning: the config file (config set api-secret) ends with a line break or holds another control character");
  });
});
