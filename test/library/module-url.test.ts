/**
 * The library loads where its module URL is not a file: URL (a bundle served from data: or
 * http:, an edge runtime): only createSignedRequest's fixtures need a directory, and they look it
 * up when first used. Loads the built @pinwheel-cli/webhooks bundle from a data: URL in a child node.
 */
import { spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { describe, expect, it } from "vitest";
import { REPO_ROOT } from "../helpers/cli.js";

describe("a module URL that is not a file: URL", () => {
  it("loads, and verifies and parses a delivery", () => {
    const zod = pathToFileURL(createRequire(join(REPO_ROOT, "packages", "webhooks", "package.json")).resolve("zod")).href;
    const bundle = readFileSync(join(REPO_ROOT, "packages", "webhooks", "dist", "index.js"), "utf8").replace(/from "zod"/g, `from ${JSON.stringify(zod)}`);
    const url = `data:text/javascript;base64,${Buffer.from(bundle).toString("base64")}`;
    const script = `
      const lib = await import(${JSON.stringify(url)});
      const body = JSON.stringify({ event: "income.added", event_id: "evt_1", payload: {} });
      const headers = lib.signedHeaders("sk_test", body);
      const event = lib.parseWebhookEvent({ secret: "sk_test", headers, rawBody: body });
      console.log(JSON.stringify({ event: event.event, known: event.known }));
    `;
    const child = spawnSync(process.execPath, ["--input-type=module"], { cwd: REPO_ROOT, input: script, encoding: "utf8" });
    expect(child.stderr).toBe("");
    expect(JSON.parse(child.stdout)).toEqual({ event: "income.added", known: true });
  });
});
