import { defined } from "../invariant.js";
import { WEBHOOK_ID_HEADER } from "../signing.js";
import { rejectedAfterVerification, type ReplayableRequest } from "../store/requests.js";
import { recordedHeaders, storedHeader } from "./recorded-headers.js";

/** A stored request as replay sends it again, and what its attempts are recorded against. */
export interface ReplayItem {
  event: string | null;
  eventId: string | null;
  body: Buffer;
  requestId: number;
  /** x-pinwheel-webhook-id as it arrived: a re-signed replay sends the same one, as Pinwheel's retry would. */
  webhookId: string | undefined;
  /** Sent as recorded: the stored headers, old signature and timestamp included, instead of a fresh signature. */
  recordedHeaders: Record<string, string> | undefined;
  /** Sent as recorded: how the request fared when it arrived ("verified", or why it failed), for the failure hint. */
  recordedVerification: string | undefined;
  /** Why listen refused it after its signature verified (replay --include-rejected), for the failure hint. */
  recordedRejection: string | undefined;
}

export function replayItem(request: ReplayableRequest, asRecorded: boolean): ReplayItem {
  const { headers } = request;
  return {
    event: request.event,
    eventId: request.eventId,
    body: request.body,
    requestId: request.id,
    webhookId: headers ? storedHeader({ headers }, WEBHOOK_ID_HEADER) : (request.webhookId ?? undefined),
    recordedHeaders: asRecorded ? recordedHeaders({ headers: defined(headers, "the headers a replay as recorded sends") }) : undefined,
    recordedVerification: asRecorded ? request.verification : undefined,
    recordedRejection: rejectedAfterVerification(request) ? (request.rejection ?? undefined) : undefined,
  };
}
