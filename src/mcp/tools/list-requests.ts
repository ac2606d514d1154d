import { z } from "zod";
import { verdictOrUsageError } from "../../cli/inputs.js";
import { eventFilterOrToolError } from "../inputs.js";
import { since } from "../../cli/options.js";
import { requestJson } from "../../output/requests.js";
import { requestStore } from "../../store/requests.js";
import { withStore } from "../store.js";
import { defineTool } from "../tool.js";

export const listRequests = defineTool({
  name: "list_requests",
  title: "List requests stored by listen",
  description:
    "Lists the webhook requests a `pinwheel-cli listen` received and stored, newest first, rejected ones included: for each, " +
    "its row id, event and event_id, account_id, when it arrived, the status it was answered with, whether its signature " +
    "verified (and if not, why: bad_signature, stale_timestamp, missing_signature...), whether it was a duplicate of an " +
    "event_id already accepted, and any schema problems in its payload. Filter by event, account_id, verdict (verified, " +
    'failed, or a reason) and since (a duration ago such as "15m" or an ISO date). Use get_request for headers and body.',
  input: {
    event: z.string().optional().describe("only this event name"),
    account_id: z.string().optional().describe("only this payload.account_id"),
    verdict: z.string().optional().describe("verified, failed, skipped, not_checked, or a reason such as bad_signature"),
    since: z.string().optional().describe('received since: "15m", "2h", "7d", or an ISO date/time'),
    limit: z.number().int().min(1).max(1000).optional().describe("at most this many (default 50)"),
  },
  sends: false,
  async run(args, context) {
    const verdict = verdictOrUsageError(args.verdict);
    const after = args.since === undefined ? undefined : since(args.since);
    return withStore(context, (db) => {
      const store = requestStore(db);
      const event = eventFilterOrToolError(args.event, store);
      const rows = store.list({ event, accountId: args.account_id, verdict, since: after, limit: args.limit ?? 50 });
      const requests = rows.map(requestJson);
      const lines = rows.map(
        (row) =>
          `#${row.id} ${row.receivedAt} ${row.statusCode} ${row.event ?? "(no event)"} ${row.verification}` +
          `${row.duplicate ? " duplicate" : ""}${row.schemaErrors ? ` (${row.schemaErrors.length} schema problem(s))` : ""} ${row.eventId ?? ""}`,
      );
      const stored = store.count();
      const header = rows.length === 0 ? `No stored request matches (${stored} stored in all).` : `${rows.length} request(s) (${stored} stored in all)`;
      return { data: { requests, stored }, text: [header, ...lines].join("\n") };
    });
  },
});
