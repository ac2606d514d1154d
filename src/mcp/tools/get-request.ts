import { z } from "zod";
import { requestDetailJson } from "../../output/requests.js";
import { deliveriesOf } from "../../store/deliveries.js";
import { findStoredRequest, shownBody, wholeRequestCommand, withStore } from "../store.js";
import { defineTool } from "../tool.js";

export const getRequest = defineTool({
  name: "get_request",
  title: "Show one stored request",
  description:
    "Returns one request stored by `pinwheel-cli listen`, by row id or event_id: everything list_requests shows, plus every " +
    "header as received (in order) and the exact body (as text when it is valid UTF-8, else base64: see body_encoding), " +
    "whether listen truncated the body (over 1 MiB), body_cut when this result carries only its first 64 KiB (with the " +
    "command that prints it whole), and the delivery attempts recorded for its event_id (what simulate, " +
    "replay and smoke sent, with the status each got). Use it to see what a handler was really sent before verify_request " +
    "or replay_request.",
  input: {
    id: z.union([z.number().int().min(1), z.string().min(1)]).describe("row id (e.g. 42) or event_id (a UUID)"),
  },
  sends: false,
  async run(args, context) {
    return withStore(context, (db) => {
      const request = findStoredRequest(db, args.id);
      // The CLI's body fields are replaced by one body with its encoding.
      const detail = Object.entries(requestDetailJson(request, deliveriesOf(db, request))).filter(([key]) => key !== "body" && key !== "body_base64");
      const data = { ...Object.fromEntries(detail), ...shownBody(request.body, () => wholeRequestCommand(context, request.id)) };
      const cut = data.body_cut ? [`(the first ${data.body_cut.shown} of ${data.body_cut.size} bytes; the whole body: ${data.body_cut.whole})`] : [];
      const text = [
        `#${request.id} ${request.event ?? "(no event)"} answered ${request.statusCode}, ${request.verification}${request.duplicate ? ", duplicate" : ""}`,
        `event_id ${request.eventId ?? "-"}, received ${request.receivedAt}, ${request.method} ${request.path}`,
        ...request.headers.map(([name, value]) => `${name}: ${value}`),
        "",
        data.body_encoding === "utf8" ? data.body : `(${request.bodySize} bytes, base64) ${data.body}`,
        ...cut,
      ].join("\n");
      return { data, text };
    });
  },
});
