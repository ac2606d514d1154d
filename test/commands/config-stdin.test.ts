/** `config set api-secret -` through the BUILT binary, which reads the secret from its stdin. */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { runCli, tempHome, type CliResult, type TempHome } from "../helpers/cli.js";
import { expectExit } from "../helpers/delivery-cli.js";

const SECRET = "config-e2e-secret-0123456789abcdef";
let home: TempHome;

beforeEach(() => {
  home = tempHome();
});
afterEach(() => home.cleanup());

function cli(args: string[], options: { input?: string } = {}): Promise<CliResult> {
  return runCli(args, { env: home.env, input: options.input });
}

const configFile = () => join(home.home, "config", "config.json");

describe("config set api-secret -", () => {
  it("reads the secret from stdin with '-', and never prints it back", async () => {
    const set = await cli(["config", "set", "api-secret", "-"], { input: `${SECRET}\n` });
    expectExit(set, 0);
    expect(JSON.parse(readFileSync(configFile(), "utf8"))).toEqual({ "api-secret": SECRET });
    const get = await cli(["config", "get", "api-secret"]);
    const list = await cli(["config", "list", "--json"]);
    for (const result of [set, get, list]) expect(result.stdout + result.stderr).not.toContain(SECRET);
    expect(get.stdout.trim()).toBe(`****${SECRET.slice(-4)}`);
    expect(JSON.parse(list.stdout)).toContainEqual({ key: "api-secret", value: `****${SECRET.slice(-4)}`, source: "config", env_var: "PINWHEEL_API_SECRET" });
  });

});

describe("config set api-secret - from a slow producer", () => {
  it("waits for the value rather than failing with EAGAIN", async () => {
    const set = await runCli(["config", "set", "api-secret", "-"], { env: home.env, input: `${SECRET}\n`, inputAfterMs: 1000 });
    expectExit(set, 0);
    expect(JSON.parse(readFileSync(configFile(), "utf8"))).toEqual({ "api-secret": SECRET });
  });
});

describe("config set api-secret - from the wrong input", () => {
  it("refuses a value with a control character, or past 64 KiB, in one line, and writes nothing", async () => {
    const binary = await cli(["config", "set", "api-secret", "-"], { input: "secret\u0000with-a-nul\n" });
    expectExit(binary, 2);
    expect(binary.stderr.trim()).toBe("error: api-secret contains a line break or another control character; was it read from the wrong file?");
    const huge = await cli(["config", "set", "api-secret", "-"], { input: "a".repeat(64 * 1024 + 1) });
    expectExit(huge, 1);
    expect(huge.stderr.trim()).toBe("error: cannot read the value from stdin (more than 64 KiB came on stdin)");
    expect(() => readFileSync(configFile(), "utf8")).toThrow(/ENOENT/);
  });
});
