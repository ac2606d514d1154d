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
  it("is refused in one line: signing or verifying with the newline every genuine event would fail its signature check", async () => {
    home = tempHome();
    // What a secret read from a file (echo "secret" > file, a Kubernetes secret) keeps at its end.
    const env = { ...home.env, PINWHEEL_API_SECRET: "sk_from_a_file\n" };
    for (const args of [
      ["simulate", "income.added", "--to", "http://127.0.0.1:9/"],
      ["listen", "--port", "0", "--db", home.home],
    ]) {
      const result = await runInProcess(args, { env });
      expectExit(result, 2);
      expect(expectOneLineError(result.stderr), args[0]).toBe(
        "error: PINWHEEL_API_SECRET contains a line break or another control character; was it read from a file with its newline?",
      );
    }
    mkdirSync(join(home.home, "config"), { recursive: true });
    writeFileSync(join(home.home, "config", "config.json"), JSON.stringify({ "api-secret": "sk_from_a_file\r\n" }));
    const result = await runInProcess(["simulate", "income.added", "--to", "http://127.0.0.1:9/"], { env: home.env });
    expectExit(result, 1);
    expect(expectOneLineError(result.stderr)).toMatch(/config\.json: "api-secret" contains a line break or another control character; fix the file, or run "pinwheel-cli config set api-secret"$/);
  });
});
