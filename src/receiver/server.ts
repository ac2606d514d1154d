import { existsSync } from "node:fs";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo, Socket } from "node:net";
import { closeServer, trackConnections } from "../http/close-server.js";
import { bindAddress } from "../loopback.js";
import { WorkerCommitter } from "../store/commit-worker.js";
import {
  INSERT_REQUEST_SQL,
  insertParams,
  SCHEMA_ERRORS_FROM_BODY,
  SCHEMA_ERRORS_PARAM,
  SET_STATUS_CODE_SQL,
  type HeaderPairs,
  type InsertedRow,
  type NewRequest,
  type SchemaIssueRow,
  type StoredRequest,
} from "../store/requests.js";
import { classifyRequest, MAX_BODY_BYTES, type ClassifyOptions, type Verdict } from "./classify.js";

/** Headers that can carry credentials are never written to the event store. */
const REDACTED_HEADERS = new Set(["authorization", "proxy-authorization", "cookie", "x-api-secret"]);

export interface ReceiverOptions {
  /**
   * The store's file (its schema already migrated). With many connections open, rows are committed by a worker thread,
   * so fsync does not stall the event loop; with few, on this thread (`commitHereUpTo`).
   */
  dbPath: string;
  host: string;
  port: number;
  secret: string;
  toleranceSeconds: number;
  skipVerify: boolean;
  /** Payload validation on the main thread, used when the commit worker has no validator to import (see `validateInWorker`). */
  validate: NonNullable<ClassifyOptions["validate"]>;
  /**
   * A file URL of a module the commit worker imports to validate payloads itself, in the same
   * INSERT, off the main thread (src/receiver/validate-in-worker.ts, exporting `completeParams`).
   * By default the built one beside this module; src/ run by tests has none (a worker cannot load
   * TypeScript), and then `validate` runs on the main thread. null: always on the main thread.
   */
  validateInWorker?: string | null;
  /**
   * Up to this many open connections the main thread commits rows itself, as a bare receiver
   * does; past twice as many the commit worker takes over, so reading and answering overlap the
   * fsync (default 1: a lone sender; 0: always the worker).
   */
  commitHereUpTo?: number;
  /** Epoch milliseconds; injectable so tests can make a request stale without waiting. */
  clock?: () => number;
  /** Called once a request's row is committed, before it is answered. */
  onStored?(request: StoredRequest): void;
  /**
   * Called when a request could not be stored (it is answered 503 so the sender retries), with the
   * row that was not stored when there was one (its id is 0); or when the status of a `respond`
   * answer could not be recorded (its id is the stored row's, which keeps the verdict's status):
   * 503 not_stored is answered instead.
   */
  onStoreError?(error: unknown, request?: StoredRequest): void;
  limits?: Partial<ReceiverLimits>;
  /** Requests this handles (returns true) never reach the webhook path: the inspector lives under /_/. */
  routes?(request: IncomingMessage, response: ServerResponse): boolean;
  /** Decides the answer to a stored request instead of the verdict (listen --forward-status answers with the app's status). */
  respond?(request: StoredRequest): Promise<OwnAnswer | undefined>;
}

/** An answer of `respond`'s own: its status is recorded in the row, then it is written. */
export interface OwnAnswer {
  statusCode: number;
  body: unknown;
  /**
   * Called just before the answer is written, with the status written: this answer's once recorded,
   * or 503 when it could not be (onStoreError was told; the row keeps the verdict's status). What
   * shows the request waits for this, or it would show a status that was never answered.
   */
  answering?(statusCode: number): void;
}

export interface ReceiverLimits {
  /** A client must finish sending its headers within this time (slowloris). */
  headersTimeoutMs: number;
  /** ...and its whole request within this time. */
  requestTimeoutMs: number;
  /** A request on a connection beyond this is stored, answered 503 and its connection closed. */
  maxConnections: number;
  /**
   * How long a refused request (malformed, CONNECT) waits for the answers owed before it on its
   * connection; past it the connection is closed with nothing more written.
   */
  owedAnswersWaitMs: number;
  /** A body larger than this is refused with 413; its first this-many bytes are stored. */
  maxBodyBytes: number;
}

export const DEFAULT_LIMITS: ReceiverLimits = {
  headersTimeoutMs: 10_000,
  requestTimeoutMs: 30_000,
  maxConnections: 1024,
  owedAnswersWaitMs: 10_000,
  maxBodyBytes: MAX_BODY_BYTES,
};

/** How long a connection past the cap has to send its one request before it is dropped. */
const OVER_CAPACITY_GRACE_MS = 1000;

/**
 * Of a request refused past the cap, this much of the body is kept (a Pinwheel event is a few
 * KiB): connections past the cap are not counted, so each must cost little memory.
 */
const OVER_CAPACITY_BODY_BYTES = 64 * 1024;

export interface Receiver {
  readonly url: string;
  readonly port: number;
  readonly server: Server;
  /**
   * Stops accepting and lets in-flight requests finish and be committed; a client still sending
   * after `graceMs` (2 s by default) is cut off. Leaves the database open.
   */
  close(graceMs?: number): Promise<void>;
  /**
   * From now on no request is stored: each is answered 503 not_stored, as when a row cannot be
   * stored, and `onStoreError` is told `error` (listen, once its store file was deleted).
   */
  refuseStoring(error: Error): void;
  /** Batches of rows committed on this thread and by the commit worker, so far (see `commitHereUpTo`). */
  readonly batches: { readonly here: number; readonly worker: number };
}

/** A request's raw headers as stored: in order, repeats kept, credentials redacted. */
export function headerPairs(raw: string[]): HeaderPairs {
  const pairs: HeaderPairs = [];
  for (let i = 0; i + 1 < raw.length; i += 2) {
    const name = raw[i];
    const value = raw[i + 1];
    if (name === undefined || value === undefined) break;
    pairs.push([name, REDACTED_HEADERS.has(name.toLowerCase()) ? "[redacted]" : value]);
  }
  return pairs;
}

/** What a request still being read has sent so far: a client timed out mid-body is stored with it. */
interface Arriving {
  request: IncomingMessage;
  chunks: Buffer[];
  size: number;
  /** How much of the body is kept (the rest is counted in `size`, not held). */
  keep: number;
}

/** The request each connection is reading, if any (one at a time: node's server does not pipeline handlers). */
const arriving = new WeakMap<Socket, Arriving>();

/**
 * Answers each connection still owes: a client may pipeline requests, and a malformed one after
 * them is answered once they have been, or their stored 200s would never reach it.
 */
interface Owed {
  count: number;
  thenRefuse?: () => void;
}
const owed = new WeakMap<Socket, Owed>();

function oweAnswer(socket: Socket, response: ServerResponse): void {
  let entry = owed.get(socket);
  if (!entry) owed.set(socket, (entry = { count: 0 }));
  const owing = entry;
  owing.count++;
  response.once("close", () => {
    owing.count--;
    if (owing.count > 0 || !owing.thenRefuse) return;
    const refuse = owing.thenRefuse;
    owing.thenRefuse = undefined;
    refuse();
  });
}

/**
 * Runs `answer` once the connection owes no earlier answer (pipelined requests are answered in
 * order). If they take longer than `waitMs`, runs `giveUp` instead: writing this answer ahead of
 * theirs would let the client read it as the answer to an earlier request.
 */
function afterOwedAnswers(socket: Socket, waitMs: number, answer: () => void, giveUp: () => void): void {
  const owing = owed.get(socket);
  if (!owing || owing.count === 0) {
    answer();
    return;
  }
  const timer = setTimeout(() => {
    owing.thenRefuse = undefined;
    giveUp();
  }, waitMs);
  timer.unref();
  owing.thenRefuse = () => {
    clearTimeout(timer);
    answer();
  };
}

function readBody(request: IncomingMessage, keep: number, limit: number): Promise<{ body: Buffer; size: number; tooLarge: boolean }> {
  return new Promise((resolve, reject) => {
    const progress: Arriving = { request, chunks: [], size: 0, keep };
    const { chunks } = progress;
    arriving.set(request.socket, progress);
    request.on("data", (chunk: Buffer) => {
      // Past the limit the rest is drained, not kept: the row records the size and the first `keep` bytes.
      if (progress.size < keep) chunks.push(chunk);
      progress.size += chunk.length;
    });
    request.on("end", () => {
      if (arriving.get(request.socket) === progress) arriving.delete(request.socket);
      const { size } = progress;
      resolve({ body: joined(chunks, keep), size, tooLarge: size > limit });
    });
    request.on("error", reject);
  });
}

/**
 * The body's first `keep` bytes in memory of its own, not a slice of Buffer's shared pool: handing
 * the body to the commit worker copies the whole backing store, which would otherwise be the pool's 8 KiB slab.
 */
function joined(chunks: Buffer[], keep: number): Buffer {
  let held = 0;
  for (const chunk of chunks) held += chunk.length;
  const body = Buffer.allocUnsafeSlow(Math.min(held, keep));
  let offset = 0;
  for (const chunk of chunks) offset += chunk.copy(body, offset, 0, Math.min(chunk.length, body.length - offset));
  return body;
}

function answer(response: ServerResponse, statusCode: number, body: unknown, extraHeaders: Record<string, string> = {}): void {
  const text = JSON.stringify(body);
  response.writeHead(statusCode, {
    "content-type": "application/json",
    "content-length": Buffer.byteLength(text),
    ...extraHeaders,
  });
  response.end(text);
}

/**
 * The answer to nearly every request, written without building an object to serialize. Its shape
 * is how simulate and smoke know they sent to listen (isListenAnswer in accepted-answer.ts).
 */
function answerAccepted(response: ServerResponse, stored: StoredRequest): void {
  const eventId = stored.eventId === null ? "null" : JSON.stringify(stored.eventId);
  const text = `{"received":true,"id":${stored.id},"event_id":${eventId},"duplicate":${stored.duplicate}}`;
  response.writeHead(200, ["content-type", "application/json", "content-length", String(Buffer.byteLength(text))]);
  response.end(text);
}

/**
 * A row on its way to the commit worker. The row is built once, as the StoredRequest it becomes:
 * its id, duplicate flag and (validated in the worker) schema errors are filled in once committed.
 */
interface Submission {
  row: StoredRequest;
  /** The worker validates the body and fills in `schemaErrors`. */
  validateInWorker: boolean;
}

type RequestCommitter = WorkerCommitter<Submission, StoredRequest>;

/** What every step of the receiver shares: its options, its clock and the commit worker rows go through. */
interface ReceiverContext {
  options: ReceiverOptions;
  clock: () => number;
  committer: RequestCommitter;
  /** Payloads are validated by the commit worker, not by classifyRequest on this thread. */
  validatesInWorker: boolean;
  /** Connections accepted past the cap, with the timer that drops them: their one request is stored and refused with 503. */
  overCapacity: WeakMap<Socket, NodeJS.Timeout>;
  /** Those of them whose one request has come: a request pipelined behind it is stored, never answered. */
  overCapacityTaken: WeakSet<Socket>;
  limits: ReceiverLimits;
  /** Set by `refuseStoring`: every row is refused with it instead of being committed. */
  unstorable?: Error;
}

/** Commits a row, or refuses it once storing was stopped (`refuseStoring`): one check per request. */
function submitRow(context: ReceiverContext, submission: Submission): Promise<StoredRequest> {
  return context.unstorable ? Promise.reject(context.unstorable) : context.committer.submit(submission);
}

function classifyOptions(context: ReceiverContext, now: number): ClassifyOptions & { now: number } {
  const { options } = context;
  const validate = context.validatesInWorker ? undefined : options.validate;
  return { secret: options.secret, toleranceSeconds: options.toleranceSeconds, skipVerify: options.skipVerify, now, validate, maxBodyBytes: context.limits.maxBodyBytes };
}

/**
 * The row for a request read whole, with its verdict, in the shape it is stored and shown in (id
 * and duplicate are set once committed). Spelled out rather than spread: this runs for every request.
 */
function requestRow(request: IncomingMessage, read: { body: Buffer; size: number; tooLarge: boolean }, verdict: Verdict, now: number): StoredRequest {
  return {
    id: 0,
    receivedAt: new Date(now).toISOString(),
    method: request.method ?? "",
    path: request.url ?? "/",
    headers: headerPairs(request.rawHeaders),
    body: read.body,
    bodySize: read.size,
    bodyTruncated: read.size > read.body.length,
    event: verdict.event,
    eventId: verdict.eventId,
    accountId: verdict.accountId,
    webhookId: verdict.webhookId,
    verification: verdict.verification,
    verificationDetail: verdict.verificationDetail,
    schemaErrors: verdict.schemaErrors,
    rejection: verdict.rejection,
    duplicate: false,
    statusCode: verdict.statusCode,
    remoteAddress: request.socket.remoteAddress ?? null,
  };
}

/** The INSERT's parameters; a body the worker validates carries a mark in place of its schema errors. */
function submissionParams({ row, validateInWorker }: Submission): unknown[] {
  const params = insertParams(row);
  if (validateInWorker) params[SCHEMA_ERRORS_PARAM] = SCHEMA_ERRORS_FROM_BODY;
  return params;
}

/** The committed row: the same object, with what the database (and the worker's validation) decided. */
function committedRow({ row }: Submission, inserted: unknown, schemaErrors: unknown): StoredRequest {
  row.id = (inserted as InsertedRow).id;
  row.duplicate = (inserted as InsertedRow).duplicate === 1;
  if (schemaErrors !== undefined) row.schemaErrors = schemaErrors as SchemaIssueRow[] | null;
  return row;
}

/** Reads, classifies and stores one request, then answers it: only once its row is committed. */
async function handleWebhook(context: ReceiverContext, request: IncomingMessage, response: ServerResponse): Promise<void> {
  const drop = context.overCapacity.get(request.socket);
  const overCapacity = drop !== undefined;
  // The connection's one request came before this one: its 503 closes the connection.
  const behindTheOne = overCapacity && context.overCapacityTaken.has(request.socket);
  if (overCapacity) context.overCapacityTaken.add(request.socket);
  const read = await readBody(request, overCapacity ? OVER_CAPACITY_BODY_BYTES : context.limits.maxBodyBytes, context.limits.maxBodyBytes);
  // It came whole within its grace: it is answered once stored, however long the commit takes.
  clearTimeout(drop);
  const now = context.clock();
  const verdict = classifyRequest(
    { method: request.method ?? "GET", headers: request.headers, body: read.body, tooLarge: read.tooLarge, overCapacity },
    classifyOptions(context, now),
  );
  if (behindTheOne) verdict.rejection = NOT_ANSWERED_PAST_CAP;
  let stored: StoredRequest;
  const row = requestRow(request, read, verdict, now);
  try {
    stored = await submitRow(context, { row, validateInWorker: verdict.validateLater });
  } catch (error) {
    context.options.onStoreError?.(error, row);
    answer(response, 503, { error: "not_stored", message: NOT_STORED_MESSAGE });
    return;
  }
  context.options.onStored?.(stored);
  // Left unanswered: node closes the connection after the 503 before it, and nothing written after that arrives.
  if (behindTheOne) return;
  await answerStored(context, response, stored, verdict.errorCode, overCapacity);
}

/** The answer to a committed request: the caller's own (listen --forward-status), the usual 200, or the refusal. */
async function answerStored(context: ReceiverContext, response: ServerResponse, stored: StoredRequest, errorCode: string | null, overCapacity: boolean): Promise<void> {
  const custom = context.options.respond ? await context.options.respond(stored) : undefined;
  if (custom) {
    // The row says what was really answered, committed before the answer like every other.
    if (custom.statusCode !== stored.statusCode) {
      try {
        // Through the committer, in turn with the rows: a write lock held elsewhere stalls this answer, never the event loop.
        await context.committer.run(SET_STATUS_CODE, [custom.statusCode, stored.id]);
      } catch (error) {
        context.options.onStoreError?.(error, stored);
        custom.answering?.(503);
        answer(response, 503, { error: "not_stored", message: ANSWER_NOT_STORED_MESSAGE, id: stored.id });
        return;
      }
    }
    custom.answering?.(custom.statusCode);
    answer(response, custom.statusCode, custom.body);
  } else if (stored.statusCode === 200) {
    answerAccepted(response, stored);
  } else {
    const message = stored.statusCode === 401 ? stored.verificationDetail : stored.rejection;
    const extra: Record<string, string> =
      stored.statusCode === 405 ? { allow: "POST" } : overCapacity ? { connection: "close", "retry-after": "1" } : {};
    answer(response, stored.statusCode, { error: errorCode, message, id: stored.id }, extra);
  }
}

/** The server's request listener: the inspector's routes first, then the webhook path. */
function requestListener(context: ReceiverContext): (request: IncomingMessage, response: ServerResponse) => void {
  const { options } = context;
  return (request, response) => {
    oweAnswer(request.socket, response);
    if (options.routes?.(request, response)) return;
    handleWebhook(context, request, response).catch((error: unknown) => {
      // A client that went away (or was cut off at shutdown) before sending its whole body left no request to store or answer.
      if (!request.complete) {
        response.destroy();
        return;
      }
      options.onStoreError?.(error);
      if (!response.headersSent) answer(response, 500, { error: "internal_error" });
      else response.destroy();
    });
  };
}

function createReceiverServer(context: ReceiverContext, limits: ReceiverLimits): Server {
  const onRequest = requestListener(context);
  const server = createServer(
    {
      headersTimeout: limits.headersTimeoutMs,
      requestTimeout: limits.requestTimeoutMs,
      // Node checks those timeouts on this interval (30 s by default): check often enough to matter.
      connectionsCheckingInterval: Math.min(1000, limits.headersTimeoutMs),
      // Node answers a request without Host 400 itself, before any handler: it is stored here like any other.
      requireHostHeader: false,
    },
    onRequest,
  );
  // Node keeps the first 1,000 headers and drops the rest silently (the signature with them);
  // maxHeaderSize (16 KiB) already bounds how many can come.
  server.maxHeadersCount = 0;
  // A client may half-close once it has sent its request (`nc -N`, some proxies): node's default
  // ends the connection at that FIN and drops the answers still to come, though their rows are
  // stored. Half-open, each owed answer is written and the connection ends after the last.
  // (A field of node's Server since 0.x, read in _http_server.js on Node 20-24, absent from its types.)
  (server as Server & { httpAllowHalfOpen: boolean }).httpAllowHalfOpen = true;
  // Node answers an Expect other than 100-continue with 417 and never shows the request: it is a
  // request like any other here (stored, verified, answered). 100-continue keeps node's handling.
  server.on("checkExpectation", onRequest);
  return server;
}

/**
 * Past the cap a connection gets one request, stored and answered 503 like any other refusal
 * (answering before node's parser has read the request would leave it to be handled anyway),
 * and a short time to send it. `open` counts the connections within the cap (the commit policy reads it).
 */
function capConnections(server: Server, maxConnections: number, overCapacity: WeakMap<Socket, NodeJS.Timeout>, open: { connections: number }): void {
  server.on("connection", (socket: Socket) => {
    if (open.connections >= maxConnections) {
      const drop = setTimeout(() => socket.destroy(), OVER_CAPACITY_GRACE_MS);
      overCapacity.set(socket, drop);
      socket.once("close", () => clearTimeout(drop));
      return;
    }
    open.connections++;
    socket.once("close", () => open.connections--);
  });
}

function listenOn(server: Server, port: number, host: string): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, bindAddress(host), () => {
      server.off("error", reject);
      resolve();
    });
  });
}

/**
 * Stops accepting, lets in-flight requests finish and be committed, cuts off a client still
 * sending after `graceMs`, then lets the commit worker go.
 */
async function closeReceiver(server: Server, sockets: Set<Socket>, committer: RequestCommitter, graceMs: number): Promise<void> {
  await closeServer(server, sockets, graceMs);
  await committer.close().catch(() => {});
}

/** The built validator beside this module (dist/receiver/), when there is one: src/ has only TypeScript. */
function builtWorkerValidator(): string | null {
  const url = new URL("./validate-in-worker.js", import.meta.url);
  return existsSync(url) ? url.href : null;
}

/**
 * Whether the main thread commits the next batch itself: with one connection open (a developer's
 * sender, Pinwheel's retries one at a time) each request waits for its fsync anyway, and the
 * worker's hand-off only adds to that wait and costs a copy of every row. From a few connections
 * on, the worker lets reading and answering overlap the fsync, and that wins (bench/ab-receiver.js
 * on 2026-11-30: 0.73x against 0.58x of the bare receiver at 1 connection, about even at 2,
 * 0.77x against 0.71x at 4 and 0.90x against 0.84x at 10). The gap between the two thresholds
 * keeps it from switching back and forth, which would cost each SQLite connection its page cache.
 */
export function commitHerePolicy(open: { connections: number }, upTo: number): () => boolean {
  let here = upTo > 0;
  return () => {
    if (here && open.connections > upTo * 2) here = false;
    else if (!here && upTo > 0 && open.connections <= upTo) here = true;
    return here;
  };
}

const DEFAULT_COMMIT_HERE_UP_TO = 1;
/** The committer's statement that records the answer a `respond` hook gave instead of the verdict's. */
const SET_STATUS_CODE = "setStatusCode";

export async function startReceiver(options: ReceiverOptions): Promise<Receiver> {
  const completer = options.validateInWorker === undefined ? builtWorkerValidator() : options.validateInWorker;
  const open = { connections: 0 };
  // Rows committed on this thread are completed (validated) here, by the module the worker imports.
  const complete = completer ? ((await import(completer)) as { completeParams(params: unknown[]): unknown }).completeParams : undefined;
  const committer: RequestCommitter = new WorkerCommitter(
    options.dbPath,
    INSERT_REQUEST_SQL,
    submissionParams,
    committedRow,
    {
      // listen runs the checkpointer (src/store/checkpointer.ts) beside the receiver.
      checkpointedElsewhere: true,
      completer: completer ?? undefined,
      here: { commitHere: commitHerePolicy(open, options.commitHereUpTo ?? DEFAULT_COMMIT_HERE_UP_TO), complete },
      statements: { [SET_STATUS_CODE]: SET_STATUS_CODE_SQL },
    },
  );
  const limits = { ...DEFAULT_LIMITS, ...options.limits };
  const context: ReceiverContext = {
    options,
    clock: options.clock ?? Date.now,
    committer,
    validatesInWorker: completer !== null,
    overCapacity: new WeakMap(),
    overCapacityTaken: new WeakSet(),
    limits,
  };
  const server = createReceiverServer(context, limits);
  const refuse = refusingStore(context);
  refuseConnect(server, context, refuse, limits.owedAnswersWaitMs);
  capConnections(server, limits.maxConnections, context.overCapacity, open);
  const sockets = trackConnections(server);
  storeClientErrors(server, refuse, limits.owedAnswersWaitMs);
  try {
    await listenOn(server, options.port, options.host);
  } catch (error) {
    // A port in use must not leave the commit worker keeping the process alive.
    await committer.close();
    throw error;
  }
  const address = server.address() as AddressInfo;
  const hostForUrl = address.family === "IPv6" ? `[${address.address}]` : address.address;
  return {
    url: `http://${hostForUrl}:${address.port}/`,
    port: address.port,
    server,
    close: (graceMs = 2000) => closeReceiver(server, sockets, committer, graceMs),
    refuseStoring(error) {
      context.unstorable = error;
    },
    batches: committer.batches,
  };
}

/** What arrived of a request node's server refused: stored with its refusal. */
type Arrived = Pick<NewRequest, "method" | "path" | "headers" | "body" | "bodySize">;
/**
 * What becomes of the connection once the row is stored: the refusal written, then closed
 * ("answer"); closed with nothing written ("close"); or left to node, which closes it after an
 * answer it still owes ("leave").
 */
type AfterStoring = "answer" | "close" | "leave";
type StoreAndRefuse = (socket: Socket, arrived: Arrived, refusal: Refusal, verdict?: Verdict, after?: AfterStoring) => void;

/** Said of a request pipelined behind the one request a connection past the cap gets (see handleWebhook). */
const NOT_ANSWERED_PAST_CAP =
  "not answered: a connection past the receiver's connection limit gets one request, and this one came after it on the same connection";
/** Said of a refused request whose answer was not written (see afterOwedAnswers). */
const NOT_ANSWERED_BEHIND_OWED = "not answered: the answers owed before it on its connection took too long, so the connection was closed";

/** Stores and refuses a request once the answers owed before it on its connection are written; past `waitMs`, stores it and closes unanswered. */
function refuseInTurn(refuse: StoreAndRefuse, waitMs: number, socket: Socket, arrived: Arrived, refusal: Refusal, verdict?: Verdict): void {
  afterOwedAnswers(
    socket,
    waitMs,
    () => refuse(socket, arrived, refusal, verdict),
    () => refuse(socket, arrived, { ...refusal, message: `${refusal.message}; ${NOT_ANSWERED_BEHIND_OWED}` }, verdict, "close"),
  );
}

/** How long a refused client has to read its answer before its connection is cut. */
const REFUSED_SOCKET_GRACE_MS = 2000;

/** Stores a request node's server would otherwise drop, then answers it on the raw socket and closes. */
function refusingStore(context: ReceiverContext): StoreAndRefuse {
  const { options } = context;
  return (socket, arrived, refusal, verdict, after = "answer") => {
    const row: StoredRequest = {
      id: 0,
      receivedAt: new Date(context.clock()).toISOString(),
      ...arrived,
      bodyTruncated: arrived.bodySize > arrived.body.length,
      event: null,
      eventId: null,
      accountId: null,
      webhookId: verdict?.webhookId ?? null,
      verification: "not_checked",
      verificationDetail: null,
      schemaErrors: null,
      rejection: refusal.message,
      duplicate: false,
      statusCode: refusal.status,
      remoteAddress: socket.remoteAddress ?? null,
    };
    void submitRow(context, { row, validateInWorker: false })
      .then(
        (stored) => {
          options.onStored?.(stored);
          return refusal;
        },
        // Not stored, it is answered as any request that could not be: 503, so that the sender
        // retries, never the refusal a stored row would have recorded.
        (storeError: unknown): Refusal => {
          options.onStoreError?.(storeError, row);
          return NOT_STORED;
        },
      )
      .then((answer) => {
        if (after === "leave") return;
        if (after === "close") {
          socket.destroy();
          return;
        }
        const text = JSON.stringify({ error: answer.code, message: answer.message });
        const extra = answer.status === 405 ? "allow: POST\r\n" : "";
        // Closed, not half-closed: a client that keeps sending after its answer (a slowloris) would
        // otherwise hold its place under --max-connections and have later bytes parsed as new requests.
        const closing = setTimeout(() => socket.destroy(), REFUSED_SOCKET_GRACE_MS);
        closing.unref();
        socket.end(
          `HTTP/1.1 ${answer.status} ${answer.reason}\r\ncontent-type: application/json\r\ncontent-length: ${Buffer.byteLength(text)}\r\n${extra}connection: close\r\n\r\n${text}`,
          () => {
            clearTimeout(closing);
            socket.destroy();
          },
        );
      })
      // A listener that threw (onStored) leaves no connection open waiting for an answer.
      .catch(() => socket.destroy());
  };
}

/**
 * CONNECT never reaches the request handler: node hands over the socket, and closes it unanswered
 * when nobody listens. It is stored and refused like any other method.
 */
function refuseConnect(server: Server, context: ReceiverContext, refuse: StoreAndRefuse, owedWaitMs: number): void {
  server.on("connect", (request: IncomingMessage, socket: Socket) => {
    const method = request.method ?? "CONNECT";
    const verdict = classifyRequest({ method, headers: request.headers, body: Buffer.alloc(0), tooLarge: false }, classifyOptions(context, context.clock()));
    const arrived: Arrived = { method, path: request.url ?? "", headers: headerPairs(request.rawHeaders), body: Buffer.alloc(0), bodySize: 0 };
    const refusal: Refusal = { status: verdict.statusCode, reason: "Method Not Allowed", code: verdict.errorCode ?? "method_not_allowed", message: verdict.rejection ?? "" };
    // Requests pipelined before it are answered first: node hands the socket over with them still owed.
    refuseInTurn(refuse, owedWaitMs, socket, arrived, refusal, verdict);
  });
}

/**
 * Requests node's parser refuses (huge or malformed headers, too slow) never reach the handler;
 * they are stored too, then answered, so nothing sent goes unrecorded.
 */
function storeClientErrors(server: Server, refuse: StoreAndRefuse, owedWaitMs: number): void {
  const refusedSockets = new WeakSet<Socket>();
  server.on("clientError", (error: NodeJS.ErrnoException, socket: Socket) => {
    // The parser may complain again about bytes still arriving; the first complaint is the answer.
    if (refusedSockets.has(socket)) return;
    // A reset, or a connection that never sent a byte, made no request: nothing to store or answer, only to close.
    if (error.code === "ECONNRESET" || !socket.writable || socket.bytesRead === 0) {
      socket.destroy();
      return;
    }
    refusedSockets.add(socket);
    const refusal = describeClientError(error);
    // Timed out mid-body: its method, path, headers and the bytes that came are what arrived.
    const pending = arriving.get(socket);
    if (pending && !pending.request.complete) {
      arriving.delete(socket);
      refuse(socket, arrivedSoFar(pending), { ...refusal, message: `${refusal.message} (${describeArrivedBody(pending)})` });
      return;
    }
    if (error.code === "HPE_CLOSED_CONNECTION") {
      // Stored after the closing request's own row; nothing is written after its answer, which closes the connection.
      const arrived = afterClosingRequest(error as ParseError);
      // The first packet is kept; what the parser dropped after it, until that answer, is counted in the size (the row is cut short).
      const readAtError = socket.bytesRead;
      const stored = () => refuse(socket, { ...arrived, bodySize: arrived.bodySize + socket.bytesRead - readAtError }, AFTER_CLOSE, undefined, "leave");
      afterOwedAnswers(socket, owedWaitMs, stored, stored);
      return;
    }
    const arrived: Arrived = { ...failedRequest(error as ParseError), body: Buffer.alloc(0), bodySize: 0 };
    refuseInTurn(refuse, owedWaitMs, socket, arrived, refusal);
  });
}

/** Said of bytes sent after a request with `Connection: close`: HTTP reads no request after it. */
const AFTER_CLOSE: Refusal = {
  status: 400,
  reason: "Bad Request",
  code: "sent_after_close",
  message:
    "sent after a request that closed the connection (Connection: close), so not read as a request; not answered: the connection closed with that request's answer",
};

/** The bytes after the closing request (all that came in the packet), with a request line's method and path when they begin with one. */
function afterClosingRequest(error: ParseError): Arrived {
  const raw = error.rawPacket ?? Buffer.alloc(0);
  // The parser counts the byte it failed on, the first one after the closing request.
  const trailing = raw.subarray(Math.max(0, Math.min((error.bytesParsed ?? 1) - 1, raw.length)));
  const line = REQUEST_LINE.exec(trailing.toString("latin1"));
  return { method: line?.[1] ?? "", path: line?.[2] ?? "", headers: [], body: Buffer.from(trailing), bodySize: trailing.length };
}

interface ParseError extends NodeJS.ErrnoException {
  rawPacket?: Buffer;
  bytesParsed?: number;
}

const REQUEST_LINE = /^([A-Za-z]{3,10}) (\S{1,2048})/;

/**
 * What arrived of the message the parser failed on: its method, path and header lines, when its
 * request line came. The packet may begin with requests pipelined before it: the failed message
 * starts after the last blank line before the point of failure, or, when the parser failed at
 * the end of the message's own head (Transfer-Encoding with Content-Length), the one before that.
 */
function failedRequest(error: ParseError): Pick<Arrived, "method" | "path" | "headers"> {
  const raw = error.rawPacket?.toString("latin1") ?? "";
  const failedAt = typeof error.bytesParsed === "number" ? Math.min(error.bytesParsed, raw.length) : raw.length;
  let end = failedAt > 0 ? raw.lastIndexOf("\r\n\r\n", failedAt - 1) : -1;
  let message = raw.slice(end < 0 ? 0 : end + 4);
  if (!REQUEST_LINE.test(message) && end >= 0) {
    const previous = end > 0 ? raw.lastIndexOf("\r\n\r\n", end - 1) : -1;
    // The blank line may end the head of a request pipelined before it: its body comes first.
    const bodyLength = /\r\ncontent-length:[ \t]*(\d{1,9})[ \t]*\r\n/i.exec(raw.slice(previous < 0 ? 0 : previous + 4, end + 2))?.[1];
    const afterBody = bodyLength === undefined ? "" : message.slice(Number(bodyLength));
    if (REQUEST_LINE.test(afterBody)) {
      message = afterBody;
    } else {
      end = previous;
      message = raw.slice(end < 0 ? 0 : end + 4);
    }
  }
  const line = REQUEST_LINE.exec(message);
  if (!line) return { method: "", path: "", headers: [] };
  const headEnd = message.indexOf("\r\n\r\n");
  const rawHeaders: string[] = [];
  let continues = false;
  for (const field of message.slice(0, headEnd < 0 ? undefined : headEnd).split(/\r?\n/).slice(1)) {
    // A line that starts with a space or tab continues the field before it (obs-fold, which the
    // parser refuses): it is part of that value, redacted with it, never a header of its own
    // (dropped with a line that was no header either).
    if (/^[ \t]/.test(field)) {
      if (continues) rawHeaders[rawHeaders.length - 1] = `${rawHeaders[rawHeaders.length - 1] ?? ""} ${field.trim()}`.trim();
      continue;
    }
    const colon = field.indexOf(":");
    continues = colon > 0;
    if (continues) rawHeaders.push(field.slice(0, colon).trim(), field.slice(colon + 1).trim());
  }
  return { method: line[1] ?? "", path: line[2] ?? "", headers: headerPairs(rawHeaders) };
}

function arrivedSoFar({ request, chunks, size, keep }: Arriving): Arrived {
  return { method: request.method ?? "", path: request.url ?? "", headers: headerPairs(request.rawHeaders), body: joined(chunks, keep), bodySize: size };
}

function describeArrivedBody({ request, size }: Arriving): string {
  const expected = request.headers["content-length"];
  return `${size} byte(s) of the body arrived${expected ? ` of ${expected}` : ""}`;
}

interface Refusal {
  status: number;
  reason: string;
  code: string;
  message: string;
}

const NOT_STORED_MESSAGE = "the receiver could not store this request; retry";
/** Said when the request was stored but the answer decided for it (listen --forward-status: the app's) could not be recorded. */
const ANSWER_NOT_STORED_MESSAGE = "the receiver stored this request but could not record its answer, so it gives none; retry";
/** The answer to a refused request whose row could not be stored, as to any other request that could not be. */
const NOT_STORED: Refusal = { status: 503, reason: "Service Unavailable", code: "not_stored", message: NOT_STORED_MESSAGE };

function describeClientError(error: NodeJS.ErrnoException): Refusal {
  switch (error.code) {
    case "HPE_HEADER_OVERFLOW":
      return { status: 431, reason: "Request Header Fields Too Large", code: "headers_too_large", message: "the request headers are larger than 16 KiB" };
    case "ERR_HTTP_REQUEST_TIMEOUT":
      return { status: 408, reason: "Request Timeout", code: "request_timeout", message: "the client did not send the whole request in time" };
    case "HPE_INVALID_EOF_STATE":
      // Valid HTTP as far as it went: the client (or a proxy) ended the connection mid-request.
      return {
        status: 400,
        reason: "Bad Request",
        code: "incomplete_request",
        message: "the client closed its side of the connection before the request was complete",
      };
    default:
      return { status: 400, reason: "Bad Request", code: "malformed_request", message: `the request is not valid HTTP (${error.code ?? error.message})` };
  }
}
