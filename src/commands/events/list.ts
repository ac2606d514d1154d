import { createOutput, type Output } from "../../output/index.js";
import { printRequestTable, requestJson } from "../../output/requests.js";
import { requestStore, type RequestFilter, type RequestStore } from "../../store/requests.js";
import { openStoreForReading } from "../../cli/read-store.js";
import { accountIdFilterOrUsageError, eventFilterOrUsageError, verdictOrUsageError } from "../../cli/inputs.js";

export interface EventsListOptions {
  event?: string;
  accountId?: string;
  verdict?: string;
  since?: string;
  limit: number;
  db?: string;
  json?: boolean;
}

export async function run(options: EventsListOptions): Promise<void> {
  const out = createOutput({ json: options.json });
  const verdict = verdictOrUsageError(options.verdict);
  const { db } = openStoreForReading(options.db, { readOnly: true });
  try {
    const store = requestStore(db);
    const event = eventFilterOrUsageError(options.event, store);
    const filter = { event, accountId: accountIdFilterOrUsageError(options.accountId, store), verdict, since: options.since };
    const rows = store.list({ ...filter, limit: options.limit });
    if (options.json) {
      out.data(rows.map(requestJson));
      // A script reading the array must hear too, on stderr, that --limit cut it.
      noticeCut(out, store, filter, rows.length, options.limit);
      return;
    }
    if (rows.length === 0) {
      const stored = store.count();
      out.notice(
        stored === 0
          ? 'No requests stored yet. Start a receiver with "pinwheel-cli listen" and send one with "pinwheel-cli simulate <event>".'
          : `No stored request matches these filters (${stored} stored in all).`,
      );
      return;
    }
    printRequestTable(out, rows);
    noticeCut(out, store, filter, rows.length, options.limit);
  } finally {
    db.close();
  }
}

/** "50 of 358 shown": only when the page is full, so the count costs a query only then. */
function noticeCut(out: Output, store: RequestStore, filter: RequestFilter, shown: number, limit: number | undefined): void {
  if (limit === undefined || shown !== limit) return;
  const matching = store.count(filter);
  if (matching > shown) out.notice(`${shown} of ${matching} shown; --limit ${matching} shows them all`);
}
