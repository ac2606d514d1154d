import { resolveDbPath, SECRET_SOURCE_LABELS } from "../config.js";
import { createOutput } from "../output/index.js";
import { resolveTarget } from "../registry/target.js";

export interface McpOptions {
  db?: string;
  secret?: string;
  env?: string;
  baseUrl?: string;
  allowRemote?: boolean;
}

/** Serves the MCP tools on stdio until the client disconnects. stdout carries the protocol; the log goes to stderr. */
export async function run(options: McpOptions): Promise<void> {
  const out = createOutput();
  // Resolved once, as the webhooks commands resolve them: a bad --env or an empty secret is a usage error before serving.
  const where = { env: options.env, baseUrl: options.baseUrl, secret: options.secret, timeout: 10_000 };
  // --db is the event store whatever the registry (so it goes with --base-url); only the local registry also keeps its webhooks there.
  const resolved = resolveTarget(where);
  const registry = resolved.kind === "local" && options.db !== undefined ? resolveTarget({ ...where, db: options.db }) : resolved;
  // The SDK is loaded here only: no other command pays for it.
  const { serveStdio } = await import("../mcp/server.js");
  const { TOOLS } = await import("../mcp/tools/index.js");
  const allowRemote = Boolean(options.allowRemote);
  out.notice(
    `pinwheel-cli mcp: ${TOOLS.length} tools on stdio; store ${resolveDbPath(options.db)}; secret from ${SECRET_SOURCE_LABELS[registry.secret.source]}; ` +
      `webhooks: ${registry.label}; ${allowRemote ? "sends anywhere (--allow-remote)" : "sends only to this machine"}`,
  );
  await serveStdio({
    db: options.db,
    secret: registry.secret,
    allowRemote,
    registry,
    log: (line) => out.notice(`pinwheel-cli mcp: ${line}`),
  });
}
