/** `config` in-process: the file's mode, masking, and flags > env > file > defaults (reading stdin: config-stdin.test.ts). */
import { chmodSync, existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { tempHome, type CliResult, type TempHome } from "../helpers/cli.js";
import { runInProcess } from "../helpers/in-process.js";
import { expectExit, expectOneLineError } from "../helpers/delivery-cli.js";
import { startStrictFake, type StrictFake } from "../api/strict-fake.js";

const SECRET = "config-e2e-secret-0123456789abcdef";
let home: TempHome;

beforeEach(() => {
  home = tempHome();
});
afterEach(() => home.cleanup());

function cli(args: string[], options: { env?: NodeJS.ProcessEnv } = {}): Promise<CliResult> {
  return runInProcess(args, { env: options.env ?? home.env });
}

const configDir = () => join(home.home, "config");
const configFile = () => join(configDir(), "config.json");
const mode = (path: string) => statSync(path).mode & 0o777;

describe("config set / get / list / unset", () => {
  it("creates the directory 0700 and the file 0600, and tightens an existing file", async () => {
    expectExit(await cli(["config", "set", "env", "sandbox"]), 0);
    expect(mode(configDir())).toBe(0o700);
    expect(mode(configFile())).toBe(0o600);
    expect(JSON.parse(readFileSync(configFile(), "utf8"))).toEqual({ env: "sandbox" });

    chmodSync(configFile(), 0o644);
    expectExit(await cli(["config", "set", "default-url", "http://127.0.0.1:8080/hooks"]), 0);
    expect(mode(configFile())).toBe(0o600);
    expect(JSON.parse(readFileSync(configFile(), "utf8"))).toEqual({ env: "sandbox", "default-url": "http://127.0.0.1:8080/hooks" });
  });

  it("stores a URL on this machine typed without its scheme as http://, and refuses one elsewhere", async () => {
    expectExit(await cli(["config", "set", "default-url", "localhost:8080/webhooks"]), 0);
    expect(JSON.parse(readFileSync(configFile(), "utf8"))).toEqual({ "default-url": "http://localhost:8080/webhooks" });
    expectExit(await cli(["config", "set", "base-url", "api.example.com"]), 2);
  });

  it("never prompts without a terminal: a missing secret is a usage error and the process ends", async () => {
    const result = await cli(["config", "set", "api-secret"]);
    expect(result.timedOut).toBe(false);
    expectExit(result, 2);
    expect(expectOneLineError(result.stderr)).toMatch(/missing secret.*not asking without a terminal/);
  });

  it("refuses unknown keys and bad values with exit 2", async () => {
    const key = await cli(["config", "set", "api-secrt", "x"]);
    expectExit(key, 2);
    expect(expectOneLineError(key.stderr)).toMatch(/unknown config key "api-secrt"; did you mean "api-secret"\?/);
    const env = await cli(["config", "set", "env", "prod"]);
    expectExit(env, 2);
    expect(expectOneLineError(env.stderr)).toMatch(/env: "prod" is not an environment/);
    const typo = await cli(["config", "set", "env", "sandbx"]);
    expectExit(typo, 2);
    expect(expectOneLineError(typo.stderr)).toBe('error: env: "sandbx" is not an environment; did you mean "sandbox"?');
    const version = await cli(["config", "set", "api-version", "2025-07-09"]);
    expectExit(version, 2);
    expect(expectOneLineError(version.stderr)).toMatch(/api-version: "2025-07-09" is not a Pinwheel-Version; did you mean "2025-07-08"/);
    expectExit(await cli(["config", "set", "api-version", "2024-01-01"]), 2);
    expectExit(await cli(["config", "set", "base-url", "ftp://x"]), 2);
  });

  it("refuses an empty value for any key, and a db path that is a directory, leaving the file untouched", async () => {
    for (const key of ["db", "default-url", "api-secret", "env"]) {
      const empty = await cli(["config", "set", key, " "]);
      expectExit(empty, 2);
      expect(expectOneLineError(empty.stderr)).toContain(`${key}: the value cannot be empty; "pinwheel-cli config unset ${key}" goes back to the default`);
    }
    const directory = await cli(["config", "set", "db", home.home]);
    expectExit(directory, 2);
    expect(expectOneLineError(directory.stderr)).toContain(`db: ${home.home} is a directory; give a file path such as ${join(home.home, "events.db")}`);
    expect(existsSync(configFile())).toBe(false);
  });

  it("list shows each value's source; unset removes a key", async () => {
    expectExit(await cli(["config", "set", "api-version", "2023-04-18"]), 0);
    const list = await cli(["config", "list", "--json"], { env: { ...home.env, PINWHEEL_ENV: "development" } });
    expect(JSON.parse(list.stdout)).toEqual([
      { key: "api-secret", value: "****cret", source: "default", env_var: "PINWHEEL_API_SECRET" },
      { key: "env", value: "development", source: "env", env_var: "PINWHEEL_ENV" },
      { key: "base-url", value: null, source: "unset", env_var: "PINWHEEL_BASE_URL" },
      { key: "api-version", value: "2023-04-18", source: "config", env_var: "PINWHEEL_API_VERSION" },
      { key: "default-url", value: "http://127.0.0.1:3000/", source: "default", env_var: null },
      { key: "db", value: join(home.home, "data", "events.db"), source: "default", env_var: "PINWHEEL_CLI_DB" },
      { key: "end-user-id", value: null, source: "unset", env_var: null },
    ]);
    const unset = await cli(["config", "unset", "api-version"]);
    expectExit(unset, 0);
    expect(JSON.parse(readFileSync(configFile(), "utf8"))).toEqual({});
    expect((await cli(["config", "get", "api-version"])).stdout.trim()).toBe("2025-07-08");
  });

  it("shows a value from the environment that other commands refuse as it is, and says what is wrong with it", async () => {
    const env = { ...home.env, PINWHEEL_ENV: "bogus" };
    const got = await cli(["config", "get", "env"], { env });
    expectExit(got, 0);
    expect(got.stdout.trim()).toBe("bogus");
    expect(got.stderr).toContain('warning: env: "bogus" is not an environment; use sandbox, development, production, local (from PINWHEEL_ENV); commands that use it refuse it');
    const listed = await cli(["config", "list"], { env });
    expectExit(listed, 0);
    expect(listed.stderr).toContain('env: "bogus" is not an environment');
    // A valid one says nothing.
    expect((await cli(["config", "get", "env"], { env: { ...home.env, PINWHEEL_ENV: "sandbox" } })).stderr).not.toContain("warning");
  });

  it("says what is wrong with a config file that is not JSON, and leaves it alone", async () => {
    mkdirSync(configDir(), { recursive: true });
    writeFileSync(configFile(), "{ not json");
    const result = await cli(["config", "set", "env", "local"]);
    expectExit(result, 1);
    expect(expectOneLineError(result.stderr)).toMatch(/config\.json is not a JSON object; fix it or delete it/);
    expect(readFileSync(configFile(), "utf8")).toBe("{ not json");
  });
});

describe("a config file that cannot be used is one error naming the file and the key, for every command", () => {
  const write = (text: string) => {
    mkdirSync(configDir(), { recursive: true });
    writeFileSync(configFile(), text);
  };

  it("a value that is not a string: not an unexpected failure, and config set repairs it", async () => {
    write('{"api-secret": 12345678}');
    const body = join(home.home, "body.json");
    writeFileSync(body, "{}");
    for (const args of [["config", "get", "api-secret"], ["verify", "--body", body, "--signature", "v2=00", "--timestamp", "1"], ["webhooks", "list", "--env", "local"]]) {
      const result = await cli(args);
      expectExit(result, 1);
      expect(expectOneLineError(result.stderr), args.join(" ")).toBe(
        `error: ${configFile()}: "api-secret" must be a string, not a number; fix the file, or run "pinwheel-cli config set api-secret <value>"`,
      );
    }
    expectExit(await cli(["config", "set", "api-secret", SECRET]), 0);
    expect((await cli(["config", "get", "api-secret"])).stdout.trim()).toBe(`****${SECRET.slice(-4)}`);
  });

  it("a file that is not JSON: config get fails instead of reporting the default", async () => {
    write("{ not json");
    const result = await cli(["config", "get", "env"]);
    expectExit(result, 1);
    expect(expectOneLineError(result.stderr)).toBe(`error: ${configFile()} is not a JSON object; fix it or delete it, then try again`);
  });

  it("a key this version does not know, with the one it probably is", async () => {
    write('{"api_secret": "abc"}');
    const result = await cli(["config", "list"]);
    expectExit(result, 1);
    expect(expectOneLineError(result.stderr)).toBe(`error: ${configFile()}: unknown key "api_secret"; did you mean "api-secret"? (fix the file or delete the key)`);
  });
});

describe("precedence: flags > environment variables > config file > defaults", () => {
  const fakes: StrictFake[] = [];
  afterEach(async () => {
    for (const fake of fakes.splice(0)) {
      await fake.close();
      expect(fake.violations).toEqual([]);
    }
  });

  it("for the base URL, the secret and the API version", async () => {
    const [fromFile, fromEnv, fromFlag] = await Promise.all(["file-secret-1234", "env-secret-1234", "flag-secret-1234"].map(startStrictFake));
    fakes.push(fromFile!, fromEnv!, fromFlag!);
    for (const [key, value] of [["base-url", fromFile!.url], ["api-secret", "file-secret-1234"], ["api-version", "2022-09-09"]]) {
      expectExit(await cli(["config", "set", key!, value!]), 0);
    }
    const env = { ...home.env, PINWHEEL_BASE_URL: fromEnv!.url, PINWHEEL_API_SECRET: "env-secret-1234", PINWHEEL_API_VERSION: "2023-04-18" };

    expectExit(await cli(["webhooks", "list", "--base-url", fromFlag!.url, "--secret", "flag-secret-1234", "--api-version", "2023-07-18"], { env }), 0);
    expectExit(await cli(["webhooks", "list"], { env }), 0);
    expectExit(await cli(["webhooks", "list"]), 0);

    expect(fromFlag!.requests.map((r) => r.headers["pinwheel-version"])).toEqual(["2023-07-18"]);
    expect(fromEnv!.requests.map((r) => r.headers["pinwheel-version"])).toEqual(["2023-04-18"]);
    expect(fromFile!.requests.map((r) => r.headers["pinwheel-version"])).toEqual(["2022-09-09"]);
  });

  it("an --env flag beats a configured base URL, and PINWHEEL_ENV beats a configured env", async () => {
    const configured = await startStrictFake(SECRET);
    fakes.push(configured);
    expectExit(await cli(["config", "set", "base-url", configured.url]), 0);
    const local = await cli(["webhooks", "list", "--env", "local", "--json"]);
    expectExit(local, 0);
    expect(JSON.parse(local.stdout)).toEqual([]);

    expectExit(await cli(["config", "unset", "base-url"]), 0);
    expectExit(await cli(["config", "set", "env", "production"]), 0);
    expectExit(await cli(["webhooks", "list", "--json"], { env: { ...home.env, PINWHEEL_ENV: "local" } }), 0);
    // With the configured production env and no secret, nothing is sent: the secret is asked for.
    const production = await cli(["webhooks", "list"]);
    expectExit(production, 2);
    expect(production.stderr).toMatch(/no API secret for Pinwheel production/);
    expect(configured.requests).toEqual([]);
  });
});
