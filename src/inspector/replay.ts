import { randomUUID } from "node:crypto";
import { deliver } from "../delivery/deliver.js";
import { recordedHeaders, storedHeader } from "../delivery/recorded-headers.js";
import { replayRefusal } from "../delivery/replay-error.js";
import { answeredAsExpected, replayItem, type ExpectedRefusal } from "../delivery/replay-item.js";
import { attemptRecorder } from "../delivery/recorder.js";
import { createSender } from "../delivery/sender.js";
import { WEBHOOK_ID_HEADER } from "../signature-headers.js";
import type { Db } from "../store/database.js";
import { notVerified, rejectedAfterVerification, type StoredRequest } from "../store/requests.js";
import type { NumberedAttempt } from "../delivery/deliver.js";
import { HttpError } from "../http/http-error.js";
import { redactUrl } from "../redact-url.js";
import { withLoopbackScheme } from "../loopback.js";

export type ReplayMode = "resigned" | "recorded";

export interface ReplayTarget {
  /** "forward": listen's --forward-to; "url": the URL typed on the page. */
  kind: "forward" | "url";
  url?: string;
}

export interface ReplayerOptions {
  db: Db;
  /** Re-signs replays to a typed URL: the listener's own secret. */
  secret: string;
  /** listen --forward-to and the secret its forwards are signed with. */
  forward?: { url: string; secret: string };
  timeoutMs: number;
}

export interface ReplayResult {
  url: string;
  mode: ReplayMode;
  /** The answer is the one expected: a 2xx, or a 4XX for a request sent as recorded that is to be refused. */
  ok: boolean;
  /** Sent as recorded: why the app should refuse it, when it should. */
  expectedRefusal: ExpectedRefusal | null;
  attempts: NumberedAttempt[];
  /** The original was not verified (sent only because the page confirmed it). */
  unverified: boolean;
  /** listen rejected the original after verifying it, as no Pinwheel event (sent only because the page confirmed it). */
  rejected: boolean;
}

export interface ReplayChoice {
  mode: ReplayMode;
  /** The user confirmed re-signing a request that was not verified. */
  includeUnverified?: boolean;
  /** The user confirmed re-signing a request listen rejected after verifying it (not a Pinwheel event). */
  includeRejected?: boolean;
}

/** Replays at once from every open page; more are refused rather than queued. */
const MAX_IN_FLIGHT = 4;

/** Where a replay goes, and the secret that signs it: the forwards' own for --forward-to, else the listener's. */
function destination(target: ReplayTarget, options: ReplayerOptions): { url: string; secret: string } {
  if (target.kind === "forward") {
    if (!options.forward) throw new HttpError(400, "no_forward_target", "listen runs without --forward-to; type the URL to replay to");
    return options.forward;
  }
  let url: URL;
  try {
    url = new URL(withLoopbackScheme(target.url ?? ""));
  } catch {
    throw new HttpError(400, "invalid_url", "type a full URL such as http://localhost:8080/webhooks/pinwheel");
  }
  if (url.protocol !== "http:" && url.protocol !== "https:") {
    throw new HttpError(400, "invalid_url", "the replay URL must start with http:// or https://");
  }
  return { url: url.toString(), secret: options.secret };
}

/**
 * Replay from the page, through the same engine as `pinwheel-cli replay`: the stored body byte
 * for byte, re-signed with a fresh timestamp (or with the recorded headers untouched), each
 * attempt recorded against the request with source "replay".
 */
export function createReplayer(options: ReplayerOptions) {
  const sender = createSender({ timeoutMs: options.timeoutMs, connections: MAX_IN_FLIGHT });
  const recorder = attemptRecorder(options.db);
  const inFlight = new Set<Promise<unknown>>();

  async function send(request: StoredRequest, target: ReplayTarget, { mode, includeUnverified, includeRejected }: ReplayChoice): Promise<ReplayResult> {
    const recorded = mode === "recorded";
    const refusal = replayRefusal(request, { unverified: recorded || includeUnverified === true, rejected: recorded || includeRejected === true });
    if (refusal?.kind === "body_truncated") {
      throw new HttpError(409, refusal.kind, "this body was over 1 MiB and only its first MiB is stored, so it cannot be sent again");
    }
    if (refusal?.kind === "unverified") {
      throw new HttpError(
        409,
        refusal.kind,
        `this request was not verified when it arrived (${refusal.verification}); re-signing it would give it a valid signature. Confirm to replay it anyway, or send it as recorded`,
      );
    }
    if (refusal?.kind === "rejected") {
      throw new HttpError(
        409,
        refusal.kind,
        "listen rejected this request after verifying it: it is not a Pinwheel event, and re-signed it would reach the app as one. Confirm to replay it anyway, or send it as recorded",
      );
    }
    const unverified = notVerified(request);
    const { url, secret } = destination(target, options);
    const webhookId = storedHeader(request, WEBHOOK_ID_HEADER);
    const deliveryId = randomUUID();
    const report = await deliver(
      sender,
      { url, body: request.body, secret, webhookId, recordedHeaders: mode === "recorded" ? recordedHeaders(request) : undefined },
      {
        onAttempt: (attempt) =>
          recorder.record(
            { deliveryId, source: "replay", event: request.event, eventId: request.eventId, webhookId: webhookId ?? null, requestId: request.id },
            attempt,
          ),
      },
    );
    // The page reads the detail again right after: the attempt must be committed by then.
    await recorder.flush();
    // As recorded, a stale or unverifiable request is to be refused: a 4XX is then the good answer.
    const expectedRefusal = replayItem(request, mode === "recorded").expectedRefusal;
    const ok = answeredAsExpected(expectedRefusal, report.final);
    return { url: redactUrl(url), mode, ok, expectedRefusal: expectedRefusal ?? null, attempts: report.attempts, unverified, rejected: rejectedAfterVerification(request) };
  }

  return {
    replay(request: StoredRequest, target: ReplayTarget, choice: ReplayChoice): Promise<ReplayResult> {
      if (inFlight.size >= MAX_IN_FLIGHT) {
        return Promise.reject(new HttpError(429, "busy", `${MAX_IN_FLIGHT} replays are already on their way; try again when one is done`));
      }
      const sending = send(request, target, choice);
      inFlight.add(sending);
      void sending.catch(() => {}).finally(() => inFlight.delete(sending));
      return sending;
    },
    async close(): Promise<void> {
      await Promise.allSettled(inFlight);
      await sender.close();
      await recorder.close();
    },
  };
}

export type Replayer = ReturnType<typeof createReplayer>;
