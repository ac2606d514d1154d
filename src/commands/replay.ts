import { resolveDbPath } from "../config.js";
import { CliError, usageError } from "../errors.js";
import { runPool } from "../delivery/pool.js";
import { recordedHeaders } from "../delivery/recorded-headers.js";
import { retryPolicy } from "../delivery/retry-policy.js";
import { createOutput } from "../output/index.js";
import { readHeader, WEBHOOK_ID_HEADER } from "../signing.js";
import { openDatabase } from "../store/database.js";
import { deliveryStore } from "../store/deliveries.js";
import { requestStore, type RequestFilter, type StoredRequest } from "../store/requests.js";
import { DeliveryRun, summarize, type RunItem } from "./delivery-run.js";
import { secretFor } from "./shared.js";

export interface ReplayOptions {
  to?: string;
  event?: string;
  accountId?: string;
  since?: string;
  verdict?: string;
  all?: boolean;
  asRecorded?: boolean;
  secret?: string;
  concurrency: number;
  timeout: number;
  retry?: boolean;
  retryBase?: number;
  db?: string;
  json?: boolean;
}

function toItem(request: StoredRequest, asRecorded: boolean): RunItem {
  const headerBag = Object.fromEntries(request.headers.map(([k, v]) => [k.toLowerCase(), v]));
  return {
    event: request.event,
    eventId: request.eventId,
    body: request.body,
    requestId: request.id,
    webhookId: readHeader(headerBag, WEBHOOK_ID_HEADER),
    recordedHeaders: asRecorded ? recordedHeaders(request) : undefined,
  };
}

function selection(references: string[], options: ReplayOptions): RequestFilter | undefined {
  const filter: RequestFilter = { event: options.event, accountId: options.accountId, since: options.since, verdict: options.verdict };
  const filtered = Object.values(filter).some((value) => value !== undefined);
  if (references.length > 0 && (filtered || options.all)) {
    throw usageError("name requests by id/event_id or select them with filters (--event, --all...), not both");
  }
  if (references.length === 0 && !filtered && !options.all) {
    throw usageError('name the stored requests to replay (ids or event_ids from "events list"), or select them with --event, --account-id, --since, --verdict or --all');
  }
  return references.length === 0 ? filter : undefined;
}

export async function run(references: string[], options: ReplayOptions): Promise<void> {
  const out = createOutput({ json: options.json });
  const filter = selection(references, options);
  const dbPath = resolveDbPath(options.db);
  const db = openDatabase(dbPath);
  let requests: StoredRequest[];
  let url: string;
  try {
    const recorded = deliveryStore(db).lastForwardUrl();
    if (!options.to && !recorded) {
      throw usageError("--to <url> is required (no listen --forward-to has recorded a target yet), e.g. --to http://localhost:8080/webhooks/pinwheel");
    }
    url = options.to ?? recorded!;
    if (!options.to) out.notice(`Replaying to ${url}, where listen --forward-to last forwarded (pass --to to choose)`);
    const store = requestStore(db);
    requests = filter
      ? store.list({ ...filter, ascending: true })
      : references.map((reference) => {
          const found = store.find(reference);
          if (!found) throw new CliError(`no stored request with id or event_id "${reference}"; see "pinwheel-cli events list"`);
          return found;
        });
  } finally {
    db.close();
  }
  const truncated = requests.filter((r) => r.bodyTruncated);
  if (truncated.length) out.warn(`skipping ${truncated.length} request(s) whose body was over 1 MiB and not stored whole`);
  requests = requests.filter((r) => !r.bodyTruncated);
  if (requests.length === 0) {
    out.notice("No stored requests match; nothing to replay.");
    return;
  }

  const { secret } = options.asRecorded ? { secret: "" } : secretFor(out, options.secret);
  const replayRun = DeliveryRun.open(out, {
    source: "replay",
    dbPath,
    url,
    secret,
    timeoutMs: options.timeout,
    concurrency: options.concurrency,
    retry: options.retry || options.retryBase !== undefined ? retryPolicy(options.retryBase) : undefined,
    planned: requests.length,
  });
  const summary = await replayRun.finish(
    runPool(requests.length, options.concurrency, (index) => replayRun.send(toItem(requests[index]!, Boolean(options.asRecorded))).then(() => undefined)),
  );
  if (out.json) out.ndjson({ type: "summary", sent: summary.sent, ok: summary.sent - summary.failed.length, failed: summary.failed.length });
  const failure = summarize(out, summary, url, false);
  if (failure) throw new CliError(failure);
}
