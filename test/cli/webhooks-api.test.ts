/**
 * A webhook id the registry does not have: `webhooks get`, `update` and `delete` say so in one line
 * (exit 1) and name the `webhooks list` that shows the ids of the same registry. In-process, against
 * the embedded registry and the mock over real HTTP.
 */
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { tempHome, type TempHome } from "../helpers/cli.js";
import { expectExit, expectOneLineError } from "../helpers/delivery-cli.js";
import { runInProcess } from "../helpers/in-process.js";
import { startMockServer, type MockServer } from "../../src/mock/server.js";
import { apiKeyFingerprint } from "../../src/registry/api-key.js";
import { createLocalRegistry } from "../../src/registry/local.js";
import { openDatabase, type Db } from "../../src/store/database.js";

const SECRET = "webhooks-api-test-secret-0123";
const MISSING = "61788409-8314-4e89-9300-ae7b9d3ccff5";
let home: TempHome;
beforeEach(() => {
  home = tempHome();
});
afterEach(() => home.cleanup());

async function missing(args: string[]): Promise<string> {
  const result = await runInProcess(args, { env: home.env });
  expectExit(result, 1);
  return expectOneLineError(result.stderr);
}

describe("a webhook id that is not there", () => {
  it("in the local registry: names webhooks list, with --db when the database is not the default one", async () => {
    expectExit(await runInProcess(["webhooks", "create", "--url", "http://127.0.0.1:3000/", "--events", "income.added", "--secret", SECRET], { env: home.env }), 0);
    for (const verb of [["get", MISSING], ["update", MISSING, "--status", "paused"], ["delete", MISSING]]) {
      expect(await missing(["webhooks", ...verb, "--secret", SECRET])).toMatch(new RegExp(`No webhook with id ${MISSING}; "pinwheel-cli webhooks list" shows the ids there$`));
    }
    const other = join(home.home, "other.db");
    expectExit(await runInProcess(["webhooks", "create", "--url", "http://127.0.0.1:3000/", "--events", "income.added", "--db", other], { env: home.env }), 0);
    expect(await missing(["webhooks", "get", MISSING, "--db", other])).toMatch(new RegExp(`; "pinwheel-cli webhooks list --db ${other}" shows the ids there$`));
  });

  describe("in a running mock", () => {
    let db: Db;
    let mock: MockServer;
    beforeEach(async () => {
      db = openDatabase(join(home.home, "served.db"));
      mock = await startMockServer({ host: "127.0.0.1", port: 0, secret: SECRET, registry: createLocalRegistry({ db, apiKey: apiKeyFingerprint(SECRET) }) });
    });
    afterEach(async () => {
      await mock.close();
      db.close();
    });

    it("names webhooks list with the same --base-url", async () => {
      expect(await missing(["webhooks", "get", MISSING, "--base-url", mock.url, "--secret", SECRET])).toMatch(
        new RegExp(`answered 404 .*; "pinwheel-cli webhooks list --base-url ${mock.url}/?" shows the ids there$`),
      );
    });

    it("a 404 for a command that names no webhook is a wrong URL: no pointer to the ids", async () => {
      const wrongPath = `${mock.url.replace(/\/$/, "")}/not-the-api`;
      const line = await missing(["webhooks", "list", "--base-url", wrongPath, "--secret", SECRET]);
      expect(line).toMatch(/answered 404 .*No route GET \/not-the-api\/v1\/webhooks/);
      expect(line).not.toMatch(/shows the ids there/);
    });
  });
});
