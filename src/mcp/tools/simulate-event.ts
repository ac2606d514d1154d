import { z } from "zod";
import { resolveDefaultTarget } from "../../config.js";
import { buildEvent, type Assignment } from "../../events/build.js";
import { eventNameOrToolError } from "../inputs.js";
import { attemptLines, MCP_MAX_RETRY_BASE_MS, MCP_RETRY_BASE_MS, sendThrough } from "../send.js";
import { RESULT_BODY_BYTES, wholeRequestCommand } from "../store.js";
import { sendTarget } from "../targets.js";
import { defineTool } from "../tool.js";

const jsonFields = z.record(z.string(), z.unknown());

function assignments(record: Record<string, unknown> | undefined): Assignment[] {
  return Object.entries(record ?? {}).map(([path, value]) => ({ path, value }));
}

export const simulateEvent = defineTool({
  name: "simulate_event",
  title: "Send a signed Pinwheel webhook",
  description:
    "Builds a realistic Pinwheel webhook event from its fixture (fresh event_id and timestamps), signs it exactly as Pinwheel " +
    "does (x-pinwheel-signature v2 HMAC over the timestamp and raw body, x-timestamp, x-pinwheel-webhook-id) with the " +
    "server's API secret, and POSTs it to `to` (default: the configured default URL, normally a `pinwheel-cli listen` on " +
    "http://127.0.0.1:3000/). Change the body with `set` (fields the fixture has, by dotted path such as " +
    '"payload.params.count", to JSON values), `add` (new fields), `unset` (paths to remove), `outcome` (job events only) and ' +
    "`account_id` / `end_user_id`. With `retry` a 5XX, network error or timeout is retried like Pinwheel (up to 5 more " +
    "attempts, compressed to retry_base_ms). Returns each attempt (status, time, event_id, what the handler answered) and " +
    "the body sent (left out past 64 KiB: body_cut), and records it like `simulate`.",
  input: {
    event: z.string().min(1).describe("event name, e.g. paystubs.fully_synced (see list_event_types)"),
    to: z.string().optional().describe("URL to POST to (only this machine unless the server runs with --allow-remote)"),
    set: jsonFields.optional().describe('fields the fixture has, by dotted path: {"payload.params.count": 7}'),
    add: jsonFields.optional().describe('fields the fixture lacks: {"payload.extra": "x"}'),
    unset: z.array(z.string()).optional().describe('paths to remove: ["payload.end_user_id"]'),
    outcome: z.enum(["success", "error", "pending"]).optional().describe("payload.outcome of a job event"),
    account_id: z.string().optional().describe("payload.account_id"),
    end_user_id: z.string().optional().describe("payload.end_user_id"),
    retry: z.boolean().optional().describe("retry after a 5XX, network error or timeout, like Pinwheel"),
    retry_base_ms: z
      .number()
      .int()
      .min(1)
      .max(MCP_MAX_RETRY_BASE_MS)
      .optional()
      .describe(`retry schedule base: every retry within 30 × base (default ${MCP_RETRY_BASE_MS}, at most ${MCP_MAX_RETRY_BASE_MS}; Pinwheel's is 30000, 15 minutes)`),
    timeout_ms: z.number().int().min(1).max(60_000).optional().describe("per-attempt timeout (default 15000, as Pinwheel)"),
  },
  sends: true,
  async run(args, context) {
    const name = eventNameOrToolError(args.event);
    const url = sendTarget(context, args.to ?? resolveDefaultTarget());
    // Built before anything is sent, so a bad override is an input error and nothing goes out.
    const envelope = buildEvent(name, {
      accountId: args.account_id,
      endUserId: args.end_user_id,
      outcome: args.outcome,
      set: assignments(args.set),
      add: assignments(args.add),
      unset: args.unset,
    });
    const retryBaseMs = args.retry || args.retry_base_ms !== undefined ? (args.retry_base_ms ?? MCP_RETRY_BASE_MS) : undefined;
    const body = Buffer.from(JSON.stringify(envelope));
    const result = await sendThrough(context, { source: "simulate", url, planned: 1, timeoutMs: args.timeout_ms ?? 15_000, retryBaseMs }, (run) =>
      run.send({ event: envelope.event, eventId: envelope.event_id, body }),
    );
    // A body past the bound is left out (a cut JSON document would not parse): the agent built it, and listen stored it.
    const cut =
      body.length > RESULT_BODY_BYTES
        ? { size: body.length, shown: 0, whole: `get_request "${envelope.event_id}" if listen received it, or ${wholeRequestCommand(context, envelope.event_id)}` }
        : null;
    return {
      data: {
        event: envelope.event,
        event_id: envelope.event_id,
        url,
        ok: result.value.ok,
        attempts: result.attempts,
        failure: result.failure,
        body: cut ? null : envelope,
        body_cut: cut,
        notices: result.notices,
      },
      text: [
        ...attemptLines(result.attempts),
        ...(result.failure ? [result.failure] : []),
        ...(cut ? [`(the body sent, ${cut.size} bytes, is past ${RESULT_BODY_BYTES / 1024} KiB and left out of this result: ${cut.whole})`] : []),
      ].join("\n"),
    };
  },
});
