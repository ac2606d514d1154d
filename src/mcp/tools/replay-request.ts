import { z } from "zod";
import { replayItem } from "../../delivery/replay-item.js";
import { namedRequests } from "../../delivery/replay-selection.js";
import { requestStore, type ReplayableRequest } from "../../store/requests.js";
import { attemptLines, MCP_RETRY_BASE_MS, sendThrough } from "../send.js";
import { withStore } from "../store.js";
import { sendTarget } from "../targets.js";
import { defineTool } from "../tool.js";

const reference = z.union([z.number().int().min(1), z.string().min(1)]);

export const replayRequest = defineTool({
  name: "replay_request",
  title: "Replay stored requests to a URL",
  description:
    "Sends requests stored by `pinwheel-cli listen` again, to `to` (your handler, on this machine unless the server runs with " +
    "--allow-remote). By default each is re-signed with the server's API secret and a fresh x-timestamp, body byte for byte " +
    "and the same x-pinwheel-webhook-id, as Pinwheel's retry would be: use it after fixing a handler to check it now " +
    "accepts what it refused. With as_recorded the stored headers and body are sent untouched, old signature and " +
    "timestamp included: a handler that checks timestamps must refuse that (a replay attack). A request that failed " +
    "verification when it arrived is refused unless include_unverified is set, and one whose signature verified but " +
    "that listen rejected (not a Pinwheel event) unless include_rejected is set. Returns each attempt and " +
    "records it like `replay`.",
  input: {
    id: z.union([reference, z.array(reference).min(1).max(100)]).describe("row id or event_id from list_requests, or a list of them"),
    to: z.string().describe("where to send them (only this machine unless the server runs with --allow-remote)"),
    as_recorded: z.boolean().optional().describe("send the stored headers untouched instead of re-signing"),
    include_unverified: z
      .boolean()
      .optional()
      .describe("also re-sign requests that were not verified when they arrived, --skip-verify ones included (a forgery would reach the handler with a valid signature)"),
    include_rejected: z
      .boolean()
      .optional()
      .describe("also re-sign requests listen rejected after verifying them, as not Pinwheel events (such as a body that is not JSON)"),
    retry: z.boolean().optional().describe("retry after a 5XX, network error or timeout, like Pinwheel (compressed schedule)"),
    timeout_ms: z.number().int().min(1).max(60_000).optional().describe("per-attempt timeout (default 15000)"),
  },
  sends: true,
  async run(args, context) {
    const url = sendTarget(context, args.to);
    const references = (Array.isArray(args.id) ? args.id : [args.id]).map(String);
    const requests: ReplayableRequest[] = withStore(context, (db) => {
      // Re-signing a request that was not verified would launder a forgery, and one listen rejected would
      // pass for a Pinwheel event: only when asked, or as recorded.
      const allowed = { unverified: Boolean(args.as_recorded || args.include_unverified), rejected: Boolean(args.as_recorded || args.include_rejected) };
      const selected = namedRequests(requestStore(db), references, allowed);
      const found: ReplayableRequest[] = [];
      for (let request = selected.next(); request; request = selected.next()) found.push(request);
      return found;
    });
    const asRecorded = Boolean(args.as_recorded);
    const result = await sendThrough(
      context,
      { source: "replay", url, planned: requests.length, timeoutMs: args.timeout_ms ?? 15_000, retryBaseMs: args.retry ? MCP_RETRY_BASE_MS : undefined, unsigned: asRecorded },
      async (run) => {
        for (const request of requests) await run.send(replayItem(request, asRecorded));
      },
    );
    return {
      data: { url, as_recorded: asRecorded, sent: result.sent, ok: result.sent - result.failed, failed: result.failed, attempts: result.attempts, failure: result.failure, notices: result.notices },
      text: [...attemptLines(result.attempts), ...(result.failure ? [result.failure] : [`${result.sent} replayed, all answered 2xx`])].join("\n"),
    };
  },
});
