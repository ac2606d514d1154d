import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { readConfigFile, resolveSecret, terminalSettings } from "../src/config.js";

describe("terminalSettings", () => {
  it("takes CI=false or CI=0 as not CI, and any other value as CI", () => {
    for (const value of ["false", "0", "", "FALSE", "no"]) expect(terminalSettings({ CI: value }).ci, value).toBe(false);
    for (const value of ["true", "1", "yes", "github-actions"]) expect(terminalSettings({ CI: value }).ci, value).toBe(true);
    expect(terminalSettings({}).ci).toBe(false);
  });
});

describe("resolveSecret", () => {
  it("refuses a PINWHEEL_API_SECRET that is set but empty, and names it", () => {
    expect(() => resolveSecret(undefined, { PINWHEEL_API_SECRET: " " })).toThrow(/PINWHEEL_API_SECRET is set but empty/);
    expect(resolveSecret("from-flag", { PINWHEEL_API_SECRET: "" })).toEqual({ secret: "from-flag", source: "flag" });
    expect(resolveSecret(undefined, { PINWHEEL_API_SECRET: "env-secret" })).toEqual({ secret: "env-secret", source: "env" });
  });
});

describe("readConfigFile", () => {
  const withFile = (text: string, check: (read: () => unknown, file: string) => void) => {
    const dir = mkdtempSync(join(tmpdir(), "pinwheel-config-"));
    const file = join(dir, "config.json");
    writeFileSync(file, text);
    try {
      check(() => readConfigFile({ dataDir: dir, configDir: dir, configFile: file, defaultDb: join(dir, "events.db") }), file);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  };

  it("keeps the known keys, all strings", () => {
    withFile('{"env": "local", "db": "/tmp/x.db"}', (read) => expect(read()).toEqual({ env: "local", db: "/tmp/x.db" }));
  });

  it("names the file and the first bad value (in key order) before any unknown key", () => {
    withFile('{"colour": 1, "db": null, "env": 3}', (read, file) =>
      expect(read).toThrow(`${file}: "env" must be a string, not a number; fix the file, or run "pinwheel-cli config set env <value>"`),
    );
    withFile('{"db": null}', (read, file) => expect(read).toThrow(`${file}: "db" must be a string, not null;`));
    withFile('{"db": ["a"]}', (read, file) => expect(read).toThrow(`${file}: "db" must be a string, not an array;`));
  });

  it("refuses an unknown key, __proto__ included, naming the one it probably is", () => {
    withFile('{"env": "local", "base_url": "x"}', (read, file) =>
      expect(read).toThrow(`${file}: unknown key "base_url"; did you mean "base-url"? (fix the file or delete the key)`),
    );
    withFile('{"__proto__": {"env": "local"}}', (read, file) => expect(read).toThrow(`${file}: unknown key "__proto__"; the keys are api-secret,`));
  });
});
