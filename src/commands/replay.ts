import { resolveDefaultTarget } from "../config.js";
import { CliError, usageError } from "../errors.js";
import { runPool } from "../delivery/pool.js";
import { recordedHeaders, storedHeader } from "../delivery/recorded-headers.js";
import { retryPolicy } from "../delivery/retry-policy.js";
import { createOutput } from "../output/index.js";
import { WEBHOOK_ID_HEADER } from "../signing.js";
import { deliveryStore } from "../store/deliveries.js";
import { notVerified, requestStore, type ReplayableRequest, type RequestFilter, type RequestStore } from "../store/requests.js";
import { DeliveryRun, summarize, type RunItem } from "../cli/delivery-run.js";
import { openStoreForReading } from "../cli/read-store.js";
import { eventFilterOrUsageError, secretFor, verdictOrUsageError } from "../cli/inputs.js";
import { isRedactedUrl } from "../redact-url.js";
import { defined } from "../invariant.js";

export interface ReplayOptions {
  to?: string;
  event?: string;
  accountId?: string;
  since?: string;
  verdict?: string;
  all?: boolean;
  asRecorded?: boolean;
  /** Re-sign requests that were not verified too (see notVerified): a forged body would reach the app with a valid signature. */
  includeUnverified?: boolean;
  secret?: string;
  concurrency: number;
  timeout: number;
  retry?: boolean;
  retryBase?: number;
  db?: string;
  json?: boolean;
}

export function toItem(request: ReplayableRequest, asRecorded: boolean): RunItem {
  const { headers } = request;
  return {
    event: request.event,
    eventId: request.eventId,
    body: request.body,
    requestId: request.id,
    webhookId: headers ? storedHeader({ headers }, WEBHOOK_ID_HEADER) : (request.webhookId ?? undefined),
    recordedHeaders: asRecorded ? recordedHeaders({ headers: defined(headers, "the headers --as-recorded sends") }) : undefined,
  };
}

function selection(references: string[], options: ReplayOptions): RequestFilter | undefined {
  const filter: RequestFilter = { event: options.event, accountId: options.accountId, since: options.since, verdict: verdictOrUsageError(options.verdict) };
  const filtered = Object.values(filter).some((value) => value !== undefined);
  if (references.length > 0 && (filtered || options.all)) {
    throw usageError("name requests by id/event_id or select them with filters (--event, --all...), not both");
  }
  if (references.length === 0 && !filtered && !options.all) {
    throw usageError('name the stored requests to replay (ids or event_ids from "events list"), or select them with --event, --account-id, --since, --verdict or --all');
  }
  return references.length === 0 ? filter : undefined;
}

/** How much of the store replay maps into memory (address space, not RAM: pages are read as touched). */
const REPLAY_MAP_BYTES = 1024 * 1024 * 1024;

/** Rows read from the store at a time: replaying a million stored requests never holds them all. */
const PAGE_ROWS = 500;

export interface Selection {
  /** Requests to send. */
  planned: number;
  /** Requests a filter selected but left out: their body was over 1 MiB and is not stored whole. */
  truncated?: number;
  /** Requests a filter selected but left out: they were not verified (see --include-unverified). */
  unverifiedLeftOut?: number;
  /** Planned requests that were not verified when they arrived (sent because --include-unverified says so). */
  unverifiedIncluded: number;
  next(): ReplayableRequest | undefined;
}

/**
 * The filter's rows, oldest first, a page at a time. Only rows stored before the replay began:
 * replaying into a listen that stores into the same file must not replay its own replays.
 */
function pagedSelection(store: RequestStore, filter: RequestFilter, verifiedOnly: boolean, withHeaders: boolean): Selection {
  const newest = store.list({ ...filter, limit: 1 })[0];
  if (!newest) return { planned: 0, truncated: 0, unverifiedIncluded: 0, next: () => undefined };
  const bounded: RequestFilter = { ...filter, beforeId: newest.id + 1 };
  const whole: RequestFilter = { ...bounded, storedWhole: true, verifiedOnly };
  // One scan counts what is sent, what is left out and why (four counts scanned the rows four times).
  const counts = store.countWhole(bounded);
  const unverified = counts.whole - counts.wholeVerified;
  let page: ReplayableRequest[] = [];
  let index = 0;
  let afterId: number | undefined;
  let exhausted = false;
  return {
    planned: verifiedOnly ? counts.wholeVerified : counts.whole,
    truncated: counts.rows - counts.whole,
    unverifiedLeftOut: verifiedOnly ? unverified : 0,
    unverifiedIncluded: verifiedOnly ? 0 : unverified,
    next() {
      if (index === page.length) {
        if (exhausted) return undefined;
        page = store.listReplayable({ ...whole, ascending: true, afterId, limit: PAGE_ROWS }, withHeaders);
        index = 0;
        exhausted = page.length < PAGE_ROWS;
        const last = page.at(-1);
        if (!last) return undefined;
        afterId = last.id;
      }
      return page[index++];
    },
  };
}

export function namedRequests(store: RequestStore, references: string[], verifiedOnly: boolean): Selection {
  const requests = references.map((reference) => {
    const request = store.find(reference);
    if (!request) throw new CliError(`no stored request with id or event_id "${reference}"; see "pinwheel-cli events list"`);
    if (request.bodyTruncated) {
      throw new CliError(`request ${request.id} cannot be replayed: its body was over 1 MiB and only the first MiB is stored`);
    }
    if (verifiedOnly && notVerified(request)) {
      throw usageError(
        `request ${request.id} was not verified when it arrived (${request.verification}); re-signing would give it a valid signature. Pass --include-unverified to send it anyway, or --as-recorded to send its original headers`,
      );
    }
    return request;
  });
  let index = 0;
  return { planned: requests.length, unverifiedIncluded: requests.filter(notVerified).length, next: () => requests[index++] };
}

export async function run(references: string[], options: ReplayOptions): Promise<void> {
  const out = createOutput({ json: options.json });
  const filter = selection(references, options);
  // Every selected row is read: mapped, a page costs no system call.
  const { db, path: dbPath } = openStoreForReading(options.db, { mapBytes: REPLAY_MAP_BYTES });
  try {
    const recorded = options.to === undefined ? deliveryStore(db).lastForwardUrl() : undefined;
    if (recorded !== undefined && isRedactedUrl(recorded)) {
      throw usageError(`listen --forward-to last forwarded to ${recorded}, whose credentials are not stored; pass --to with the URL`);
    }
    // Like simulate: --to, else where listen --forward-to last forwarded, else the default URL.
    const url = options.to ?? recorded ?? resolveDefaultTarget();
    if (!options.to && recorded) {
      // The forward secret is never stored: replay signs with its own (--secret, PINWHEEL_API_SECRET...).
      out.notice(`Replaying to ${url}, where listen --forward-to last forwarded (pass --to to choose; if listen signed with --forward-secret, pass that secret with --secret)`);
    }
    if (!options.to && !recorded) out.notice(`Replaying to the default URL ${url} (pass --to to choose, or "pinwheel-cli config set default-url")`);
    const store = requestStore(db);
    if (filter) filter.event = eventFilterOrUsageError(filter.event, store);
    // Sent as recorded, a request carries its own (failing) signature; only re-signing can launder one.
    const verifiedOnly = !options.asRecorded && !options.includeUnverified;
    const selected = filter ? pagedSelection(store, filter, verifiedOnly, Boolean(options.asRecorded)) : namedRequests(store, references, verifiedOnly);
    if (selected.truncated) out.warn(`skipping ${selected.truncated} request(s) whose body was over 1 MiB and not stored whole`);
    if (selected.unverifiedLeftOut) {
      out.warn(`skipping ${selected.unverifiedLeftOut} request(s) that were not verified when they arrived (--include-unverified re-signs them too)`);
    }
    if (selected.unverifiedIncluded && !options.asRecorded) {
      out.warn(`${selected.unverifiedIncluded} of these request(s) were not verified when they arrived; they are re-signed and reach the app with a valid signature`);
    }
    if (selected.planned === 0) {
      if (out.json) out.ndjson({ type: "summary", sent: 0, ok: 0, failed: 0 });
      // Every match left out above was skipped, not missing: say so rather than "no match".
      const skipped = (selected.unverifiedLeftOut ?? 0) + (selected.truncated ?? 0);
      out.notice(skipped > 0 ? "Nothing left to replay after the request(s) skipped above." : "No stored requests match; nothing to replay.");
      return;
    }

    const { secret } = options.asRecorded ? { secret: "" } : secretFor(out, options.secret);
    const replayRun = DeliveryRun.open(out, {
      source: "replay",
      dbPath,
      db,
      url,
      secret,
      timeoutMs: options.timeout,
      concurrency: options.concurrency,
      retry: options.retry || options.retryBase !== undefined ? retryPolicy(options.retryBase) : undefined,
      planned: selected.planned,
    });
    const summary = await replayRun.finish(
      runPool(selected.planned, options.concurrency, async () => {
        const request = selected.next();
        if (request) await replayRun.send(toItem(request, Boolean(options.asRecorded)));
      }),
    );
    if (out.json) out.ndjson({ type: "summary", sent: summary.sent, ok: summary.sent - summary.failed.length, failed: summary.failed.length });
    const failure = summarize(out, summary, url, false);
    if (failure) throw new CliError(failure);
  } finally {
    db.close();
  }
}
