import { resolveDefaultTarget } from "../config.js";
import { CliError, usageError } from "../errors.js";
import { runPool } from "../delivery/pool.js";
import { replayItem } from "../delivery/replay-item.js";
import { namedRequests, pagedSelection } from "../delivery/replay-selection.js";
import { retryPolicy } from "../delivery/retry-policy.js";
import { createOutput } from "../output/index.js";
import { formatAge } from "../output/delivery.js";
import { deliveryStore } from "../store/deliveries.js";
import { requestStore, type RequestFilter } from "../store/requests.js";
import { DeliveryRun, summarize } from "../cli/delivery-run.js";
import { openStoreForReading } from "../cli/read-store.js";
import { accountIdFilterOrUsageError, eventFilterOrUsageError, secretFor, verdictOrUsageError } from "../cli/inputs.js";
import { isRedactedUrl } from "../redact-url.js";
import { printable } from "../output/printable.js";

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
  /** Re-sign requests listen rejected after verifying them too (see rejectedAfterVerification): they are not Pinwheel events. */
  includeRejected?: boolean;
  secret?: string;
  concurrency: number;
  timeout: number;
  retry?: boolean;
  retryBase?: number;
  db?: string;
  json?: boolean;
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

export async function run(references: string[], options: ReplayOptions): Promise<void> {
  const out = createOutput({ json: options.json });
  const filter = selection(references, options);
  // Every selected row is read: mapped, a page costs no system call.
  const { db, path: dbPath } = openStoreForReading(options.db, { mapBytes: REPLAY_MAP_BYTES });
  try {
    // What to send is settled first: a mistyped event or id says so before any notice of where to.
    const store = requestStore(db);
    if (filter) {
      filter.event = eventFilterOrUsageError(filter.event, store);
      filter.accountId = accountIdFilterOrUsageError(filter.accountId, store);
    }
    // Sent as recorded, a request carries its own signature; only re-signing can launder a forgery,
    // or present a body listen rejected (not a Pinwheel event) as a genuine event.
    const allowed = { unverified: Boolean(options.asRecorded || options.includeUnverified), rejected: Boolean(options.asRecorded || options.includeRejected) };
    const selected = filter ? pagedSelection(store, filter, allowed, Boolean(options.asRecorded)) : namedRequests(store, references, allowed);
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
    if (selected.truncated) out.warn(`skipping ${selected.truncated} request(s) whose body was over 1 MiB and not stored whole`);
    if (selected.unverifiedLeftOut) {
      out.warn(`skipping ${selected.unverifiedLeftOut} request(s) that were not verified when they arrived (--include-unverified re-signs them too)`);
    }
    if (selected.rejectedLeftOut) {
      out.warn(`skipping ${selected.rejectedLeftOut} request(s) that listen rejected after verifying them, as not Pinwheel events (--include-rejected re-signs them too)`);
    }
    if (selected.unverifiedIncluded && !options.asRecorded) {
      out.warn(`${selected.unverifiedIncluded} of these request(s) were not verified when they arrived; they are re-signed and reach the app with a valid signature`);
    }
    if (selected.rejectedIncluded && !options.asRecorded) {
      out.warn(`${selected.rejectedIncluded} of these request(s) were rejected by listen as not Pinwheel events; they are re-signed all the same, and the app may rightly refuse them`);
    }
    for (const choice of selected.eventIdChoices ?? []) {
      out.notice(
        `event_id ${printable(choice.eventId)} is carried by ${choice.others + 1} stored requests: replaying #${choice.requestId}, the newest${choice.verifiedFirst ? " verified" : ""} one ` +
          `(name another by its id, from "pinwheel-cli events list")`,
      );
    }
    // What was left out, for --json: the warnings above go to stderr.
    const skipped = { truncated: selected.truncated ?? 0, unverified: selected.unverifiedLeftOut ?? 0, rejected: selected.rejectedLeftOut ?? 0 };
    if (selected.planned === 0) {
      if (out.json) out.ndjson({ type: "summary", sent: 0, ok: 0, failed: 0, not_sent: 0, skipped });
      // Every match left out above was skipped, not missing: say so rather than "no match".
      const skippedCount = skipped.truncated + skipped.unverified + skipped.rejected;
      out.notice(skippedCount > 0 ? "Nothing left to replay after the request(s) skipped above." : "No stored requests match; nothing to replay.");
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
      stopWhenUnanswered: true,
    });
    let freshNoticed = false;
    const summary = await replayRun.finish(
      runPool(
        selected.planned,
        options.concurrency,
        async () => {
          if (replayRun.stoppedAnswering) return;
          const request = selected.next();
          if (!request) return;
          const item = replayItem(request, Boolean(options.asRecorded));
          if (item.recordedAgeSeconds !== undefined && item.expectedRefusal === undefined && !freshNoticed) {
            freshNoticed = true;
            out.notice(
              `Request #${item.requestId}'s x-timestamp is ${formatAge(item.recordedAgeSeconds)} old, still fresh: a handler is right to accept it as recorded; ` +
                "it tests that a stale replay is refused once its x-timestamp is over 5 minutes old",
            );
          }
          await replayRun.send(item);
        },
        () => replayRun.stoppedAnswering,
      ),
    );
    const failure = summarize(out, summary, url, { verbose: false, sent: options.asRecorded ? "as-recorded" : "events", skipped });
    if (failure) throw new CliError(failure);
  } finally {
    db.close();
  }
}
