import { DEFAULT_DEV_SECRET, resolveDbPath, SECRET_SOURCE_LABELS } from "../config.js";
import { interrupted, stdoutClosed } from "../errors.js";
import { stdoutWasClosed } from "../interrupt.js";
import { createOutput } from "../output/index.js";
import { printMockAnswer } from "../output/mock.js";
import { apiKeyFingerprint } from "../registry/api-key.js";
import { createLocalRegistry } from "../registry/local.js";
import { startMockServer, type MockServer } from "../mock/server.js";
import type { Sandbox } from "../sandbox/sandbox.js";
import { openDatabase } from "../store/database.js";
import { secretFor } from "../cli/inputs.js";
import { describeBindError, waitForStopSignal } from "../cli/serving.js";

export interface MockOptions {
  port: number;
  host: string;
  secret?: string;
  db?: string;
  json?: boolean;
}

export async function run(options: MockOptions): Promise<void> {
  const out = createOutput({ json: options.json });
  const secret = secretFor(out, options.secret);
  const dbPath = resolveDbPath(options.db);
  const db = openDatabase(dbPath);
  const registry = createLocalRegistry({ db, apiKey: apiKeyFingerprint(secret.secret) });
  // The data API's module graph (generator, delivery) loads on its first request, not at start-up.
  let sandbox: Promise<Sandbox> | undefined;
  const openSandbox = () =>
    (sandbox ??= import("../sandbox/sandbox.js").then(({ createSandbox }) => createSandbox({ db, apiKey: apiKeyFingerprint(secret.secret), secret: secret.secret, registry })));
  let server: MockServer;
  let dropped = 0;
  try {
    server = await startMockServer({
      host: options.host,
      port: options.port,
      secret: secret.secret,
      registry,
      sandbox: openSandbox,
      onAnswer: (answer) => printMockAnswer(out, answer),
      // Said once: a client that opens connections without end would otherwise fill the log too.
      onDropped: (bound) => {
        if (dropped++ === 0) out.warn(`${bound} connections are open at once, the mock's bound: it closes more unanswered until some close`);
      },
    });
  } catch (error) {
    db.close();
    throw describeBindError(error, options.host, options.port, "(another mock?)");
  }

  if (out.json) {
    out.ndjson({ type: "ready", url: server.url, port: server.port, db: dbPath });
  } else {
    out.notice(`Pinwheel API stand-in at ${out.c.bold(server.url)} (/v1/webhooks and the Core Data API: accounts, platforms, paystubs...)`);
    // The built-in secret is a public constant, and a client cannot be pointed here without it.
    const expected = secret.source === "default" ? `${DEFAULT_DEV_SECRET} (${SECRET_SOURCE_LABELS.default})` : `the secret from ${SECRET_SOURCE_LABELS[secret.source]}`;
    out.notice(`Clients must send x-api-secret: ${expected}`);
    out.notice(`Webhooks are stored in ${dbPath}, the registry "--env local" uses`);
    out.notice(`Try: pinwheel-cli webhooks list --base-url ${server.url}`);
    out.notice(`     pinwheel-cli sandbox connect --base-url ${server.url}`);
    out.notice("Press Ctrl+C to stop.");
  }

  const signal = await waitForStopSignal();
  await server.close();
  db.close();
  if (dropped > 0) out.warn(`${dropped} connection(s) were closed unanswered, past the bound of open connections`);
  if (signal === "SIGINT") throw interrupted("the mock stopped");
  // stdout's reader quit (process-hooks sent the SIGTERM): a graceful stop, but not a clean one.
  if (stdoutWasClosed()) throw stdoutClosed("the mock stopped");
  // SIGTERM is a supervisor's (docker stop, systemd): a clean stop, exit 0, said like listen's.
  if (!out.json) out.notice("Stopped the mock.");
}
