import { createOutput } from "../../output/index.js";
import { printRequestTable, requestJson } from "../../output/requests.js";
import { requestStore } from "../../store/requests.js";
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
    if (options.limit !== undefined && rows.length === options.limit) {
      const matching = store.count(filter);
      if (matching > rows.length) out.notice(`${rows.length} of ${matching} shown; --limit ${matching} shows them all`);
    }
  } finally {
    db.close();
  }
}
