/**
 * FAST: the examples are written to be copied into a handler's project, so they import the library
 * from @pinwheel-cli/webhooks (zod only), never from pinwheel-cli (the CLI, better-sqlite3's native
 * build and the rest). In the checkout the npm workspace links node_modules/@pinwheel-cli/webhooks to
 * packages/webhooks/, so the examples run against the package npm run build bundles there; each
 * import either resolves to it, to Node's built-ins or to a framework the checkout installs.
 */
import { readdirSync, readFileSync, realpathSync } from "node:fs";
import { createRequire } from "node:module";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { REPO_ROOT } from "../helpers/cli.js";

const EXAMPLES = readdirSync(join(REPO_ROOT, "examples"), { withFileTypes: true })
  .filter((entry) => entry.isDirectory())
  .map((entry) => entry.name)
  .sort();
const root = JSON.parse(readFileSync(join(REPO_ROOT, "package.json"), "utf8")) as { devDependencies: Record<string, string> };

/** The specifiers of a module's static imports (`import ... from "x"` and `import "x"`). */
function importsOf(source: string): string[] {
  return [...source.matchAll(/^\s*import\b[^"';]*?["']([^"']+)["']/gm)].map((match) => match[1]!);
}

describe("the examples import the library from @pinwheel-cli/webhooks", () => {
  it("finds the five examples", () => {
    expect(EXAMPLES).toEqual(["callback", "express", "fastify", "hono", "node-http"]);
  });

  it.each(EXAMPLES)("examples/%s imports @pinwheel-cli/webhooks, Node's built-ins and its framework only", (name) => {
    const file = join(REPO_ROOT, "examples", name, "server.mjs");
    const imports = importsOf(readFileSync(file, "utf8"));
    expect(imports).toContain("@pinwheel-cli/webhooks");
    const others = imports.filter((specifier) => specifier !== "@pinwheel-cli/webhooks" && !specifier.startsWith("node:"));
    // A framework the handler installs itself; the checkout has it as a dev dependency.
    for (const specifier of others) {
      const pkg = specifier.startsWith("@") ? specifier.split("/").slice(0, 2).join("/") : specifier.split("/")[0]!;
      expect(Object.keys(root.devDependencies), `${specifier} in examples/${name}`).toContain(pkg);
    }
    expect(imports.filter((specifier) => specifier === "pinwheel-cli" || specifier.startsWith("pinwheel-cli/"))).toEqual([]);
  });

  it("@pinwheel-cli/webhooks resolves from the examples to the package built in packages/webhooks/", () => {
    const resolved = createRequire(join(REPO_ROOT, "examples", "express", "server.mjs")).resolve("@pinwheel-cli/webhooks");
    expect(realpathSync(resolved)).toBe(realpathSync(join(REPO_ROOT, "packages", "webhooks", "dist", "index.js")));
  });
});
