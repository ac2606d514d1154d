import { resolveDbPath } from "../config.js";
import { CliError } from "../errors.js";
import { validateWebhookEvent } from "../events/schemas.js";
import { createOutput, type Output } from "../output/index.js";
import { formatRequestLine, requestJson } from "../output/requests.js";
import { startReceiver } from "../receiver/server.js";
import { startCheckpointer } from "../store/checkpointer.js";
import { openDatabase } from "../store/database.js";
import type { StoredRequest } from "../store/requests.js";
import { secretFor } from "./shared.js";

export interface ListenOptions {
  port: number;
  host: string;
  db?: string;
  secret?: string;
  tolerance: number;
  skipVerify?: boolean;
  maxConnections: number;
  json?: boolean;
}

/** Anything but a loopback address makes the receiver (and its stored requests) reachable from the network. */
export function isLoopback(host: string): boolean {
  return host === "localhost" || host === "::1" || host === "[::1]" || /^127\.\d+\.\d+\.\d+$/.test(host);
}

function validate(body: unknown) {
  const result = validateWebhookEvent(body);
  return result.ok ? ({ ok: true } as const) : ({ ok: false, issues: result.issues } as const);
}

function describeListenError(error: unknown, host: string, port: number): CliError {
  const code = (error as { code?: string }).code;
  if (code === "EADDRINUSE") return new CliError(`port ${port} on ${host} is already in use; pick another with --port (0 picks a free one)`);
  if (code === "EACCES") return new CliError(`not allowed to listen on port ${port}; use a port above 1023`);
  if (code === "EADDRNOTAVAIL" || code === "ENOTFOUND") return new CliError(`cannot bind to ${host}; use --host 127.0.0.1 or an address of this machine`);
  return new CliError(`cannot listen on ${host}:${port}: ${(error as Error).message}`);
}

function waitForSignal(): Promise<NodeJS.Signals> {
  return new Promise((resolve) => {
    const onSignal = (signal: NodeJS.Signals) => {
      process.off("SIGINT", onSignal);
      process.off("SIGTERM", onSignal);
      resolve(signal);
    };
    process.on("SIGINT", onSignal);
    process.on("SIGTERM", onSignal);
  });
}

function show(out: Output, request: StoredRequest): void {
  if (out.json) out.ndjson({ type: "request", ...requestJson(request) });
  else out.line(formatRequestLine(out.c, request));
}

export async function run(options: ListenOptions): Promise<void> {
  const out = createOutput({ json: options.json });
  const { secret } = options.skipVerify ? { secret: "" } : secretFor(out, options.secret);
  const dbPath = resolveDbPath(options.db);
  const db = openDatabase(dbPath);
  let receiver;
  try {
    receiver = await startReceiver({
      db,
      host: options.host,
      port: options.port,
      secret,
      toleranceSeconds: options.tolerance,
      skipVerify: Boolean(options.skipVerify),
      validate,
      limits: { maxConnections: options.maxConnections },
      onStored: (request) => show(out, request),
      onStoreError: (error) => out.warn(`a request could not be stored and was answered 503: ${(error as Error).message}`),
    });
  } catch (error) {
    db.close();
    throw describeListenError(error, options.host, options.port);
  }

  const checkpointer = startCheckpointer(db, dbPath);
  if (!isLoopback(options.host)) {
    out.warn(`listening on ${options.host}: the receiver and what it stores are reachable from the network, not only from this machine`);
  }
  if (options.json) {
    out.ndjson({ type: "ready", url: receiver.url, port: receiver.port, db: dbPath });
  } else {
    out.notice(`Ready: receiving Pinwheel webhooks at ${out.c.bold(receiver.url)} (any path)`);
    out.notice(`Storing every request in ${dbPath}`);
    if (options.skipVerify) out.warn("--skip-verify: signatures are not checked");
    out.notice("Press Ctrl+C to stop.");
  }

  await waitForSignal();
  if (!options.json) out.notice("Stopping: finishing in-flight requests…");
  await receiver.close();
  await checkpointer.stop();
  db.close();
}
